"""`capa customer ...`, `capa person ...` and `capa service ...`: the service desk
(docs/architecture.md, "Service desk")."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.accounts.customer_links import customer_link, customer_portal_url
from capaflow.accounts.links import fixed_span, span_of
from capaflow.accounts.secrets import site_secret
from capaflow.calendars import parse_instant, readable
from capaflow.cli.common import (
    ActorOpt,
    ConfigOpt,
    DbOpt,
    Env,
    JsonOpt,
    NowOpt,
    parse_fields,
    print_json,
    run,
    stderr,
    stdout,
)
from capaflow.documents.service import (
    CustomerLinkPublic,
    RequestDetail,
    customer_document,
    import_document,
    person_detail,
    person_document,
    request_detail,
    request_documents,
)
from capaflow.errors import MAX_ID, BadInput
from capaflow.servicedesk.csvimport import COLUMNS, import_requests
from capaflow.servicedesk.feedback import training_of
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.register import (
    absences_of,
    add_customer,
    add_person,
    get_customer,
    get_person,
    list_customers,
    list_people,
    mark_absent,
)
from capaflow.servicedesk.requests import (
    advance_request,
    get_request,
    list_requests,
    open_request,
)

customer_app = typer.Typer(help="Customers and their service tiers.", no_args_is_help=True)
person_app = typer.Typer(help="The people requests are dispatched to.", no_args_is_help=True)
service_app = typer.Typer(help="Service requests: intake, dispatch, SLA clocks, follow-up.",
                          no_args_is_help=True)

RequestId = Annotated[int, typer.Argument(help="Request number.")]


@customer_app.command("add")
def customer_add(
    code: Annotated[str, typer.Argument(help="Short customer code, e.g. HOTEL-7.")],
    name: Annotated[str, typer.Option("--name", help="Customer name.")],
    tier: Annotated[str, typer.Option("--tier", help="Service tier, e.g. key, standard.")],
    contact: Annotated[
        str | None, typer.Option("--contact", help="Apprise URL for surveys and notices.")
    ] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Register a customer with its service tier."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            customer = add_customer(session, desk=env.desk, code=code, name=name, tier=tier,
                                    contact=contact, now=env.now)
            document = customer_document(customer)
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print(f"Customer {document.code} added ({document.name}, tier "
                         f"{document.tier}).", highlight=False)

    run(env, body)


@customer_app.command("list")
def customer_list(as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None) -> None:
    """All customers."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            documents = [customer_document(c) for c in list_customers(session)]
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table("code", "name", "tier", "contact")
        for d in documents:
            table.add_row(d.code, d.name, d.tier, d.contact or "-")
        stdout.print(table)

    run(env, body)


@customer_app.command("link")
def customer_link_command(
    code: Annotated[str, typer.Argument(help="Customer code.")],
    valid: Annotated[
        str | None,
        typer.Option("--valid", help="How long it opens the portal, e.g. 14d or 48h "
                                     "(default: the web.customer_link_valid policy)."),
    ] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """A signed link into the customer's portal: their own requests, and a form to open one."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        valid_for = (span_of(valid, "valid") if valid is not None
                     else fixed_span(env.policies, "customer_link_valid"))
        with env.transaction() as session:
            customer = get_customer(session, code)
            assert customer.id is not None
            # The key the web server opens links with (CAPA_SECRET_KEY, else the site's own).
            secret = site_secret(session, configured=env.settings.secret_key, now=env.now)
        token = customer_link(secret, customer_id=customer.id, now=env.now, valid_for=valid_for)
        link = customer_portal_url(env.settings.base_url, token)
        valid_until = env.now + valid_for
        if env.as_json:
            print_json(CustomerLinkPublic(customer=customer.code, link=link,
                                          valid_until=valid_until).as_json())
            return
        stdout.print(link, highlight=False, soft_wrap=True)
        stdout.print(f"Opens the portal of {customer.code} until {readable(valid_until)}.",
                     highlight=False)

    run(env, body)


@person_app.command("add")
def person_add(
    name: Annotated[str, typer.Argument(help="The person's name, as in the routes file.")],
    team: Annotated[str, typer.Option("--team", help="The team they work in.")],
    skills: Annotated[
        str | None, typer.Option("--skills", help="Comma-separated skills, e.g. repair,hvac.")
    ] = None,
    lead: Annotated[bool, typer.Option("--lead", help="They lead the team.")] = False,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Add someone requests can be dispatched to."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            document = person_document(add_person(session, name=name, team=team, skills=skills,
                                                  lead=lead, now=env.now))
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print(f"{document.name} added to team {document.team}"
                         + (" as its lead" if document.lead else "") + ".", highlight=False)

    run(env, body)


@person_app.command("absent")
def person_absent(
    name: Annotated[str, typer.Argument(help="The person.")],
    starts: Annotated[str, typer.Option("--from", help="ISO-8601 time with offset.")],
    ends: Annotated[str, typer.Option("--to", help="ISO-8601 time with offset.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Mark someone away: dispatch skips them from --from until --to."""
    env = Env(as_json, db, now)

    def body() -> None:
        try:
            starts_at = parse_instant(starts, field="from")
            ends_at = parse_instant(ends, field="to")
        except ValueError as exc:
            field = "from" if str(exc).startswith("from") else "to"
            raise BadInput(str(exc), field=field) from None
        with env.transaction() as session:
            mark_absent(session, name=name, starts_at=starts_at, ends_at=ends_at, now=env.now)
            person = get_person(session, name)
            assert person.id is not None
            document = person_document(person, absences_of(session, person.id))
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print(f"{name} is absent from {readable(starts_at)} to {readable(ends_at)}.",
                         highlight=False)

    run(env, body)


@person_app.command("list")
def person_list(
    team: Annotated[str | None, typer.Option("--team")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Everyone on the desk's teams."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            documents = [person_document(p, absences_of(session, p.id or 0))
                         for p in list_people(session, team)]
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table("name", "team", "skills", "lead")
        for d in documents:
            table.add_row(d.name, d.team, ", ".join(d.skills) or "-", "yes" if d.lead else "")
        stdout.print(table)

    run(env, body)


@person_app.command("show")
def person_show(
    name: Annotated[str, typer.Argument(help="The person.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """A person: team, skills, absences, and the training items low scores gave them."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            person = get_person(session, name)
            assert person.id is not None
            document = person_detail(person, absences_of(session, person.id),
                                     training_of(session, person.name), env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(f"{document.name}, team {document.team}"
                     + (" (lead)" if document.lead else "")
                     + f"; skills: {', '.join(document.skills) or '-'}", highlight=False)
        for absence in document.absences:
            stdout.print(f"  absent {readable(absence.starts_at)} to {readable(absence.ends_at)}",
                         highlight=False)
        table = Table("#", "status", "dimension", "request", "due", "done")
        for item in document.training:
            table.add_row(str(item.id), item.status + (" OVERDUE" if item.overdue else ""),
                          item.dimension, f"#{item.request}", readable(item.due_at),
                          readable(item.done_at) if item.done_at else "-")
        stdout.print(table if document.training else "  no training items")

    run(env, body)


def _print_request(document: RequestDetail, env: Env) -> None:
    if env.as_json:
        print_json(document.as_json())
        return
    stdout.print(f"Request #{document.id} ({document.state}) {document.title}",
                 highlight=False, markup=False)
    stdout.print(f"  customer {document.customer} (tier {document.tier}), {document.kind}, "
                 f"severity {document.severity}, category {document.category}, "
                 f"channel {document.channel}", highlight=False)
    stdout.print(f"  assignee: {document.assignee or '-'} (team {document.team})"
                 + (f"  FLAG: {document.dispatch_flag}" if document.dispatch_flag else ""),
                 highlight=False)
    for clock in document.clocks:
        stdout.print(f"  {clock.title}: {clock.status}, due {readable(clock.due_at)}"
                     + ("  BREACHED" if clock.breached else ""), highlight=False)
    if document.allowed_triggers:
        stdout.print(f"  next: {', '.join(document.allowed_triggers)}", highlight=False)


@service_app.command("open")
def service_open(
    customer: Annotated[str, typer.Option("--customer", help="Customer code.")],
    kind: Annotated[str, typer.Option("--kind", help="inquiry, request, complaint or claim.")],
    severity: Annotated[str, typer.Option("--severity", help="Severity, e.g. S2.")],
    category: Annotated[str, typer.Option("--category", help="Category, e.g. repair.")],
    channel: Annotated[str, typer.Option("--channel", help="phone, mail, web, portal, ...")],
    title: Annotated[str, typer.Option("--title", help="What the customer needs.")],
    description: Annotated[
        str | None, typer.Option("--description", help="The customer's words.")] = None,
    assignee: Annotated[
        str | None, typer.Option("--assignee", help="Dispatch to this person.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Take a request in: its SLA clocks start and it is dispatched by the rules."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            opened = open_request(
                session, desk=env.desk, policy=env.deadline_policy, customer=customer,
                kind=kind.strip().lower(), severity=severity.strip(),
                category=category.strip().lower(), channel=channel.strip().lower(),
                title=title, description=description, assignee=assignee, actor=env.actor,
                now=env.now,
            )
            document = request_detail(session, opened.case, opened.request, env.now)
        _print_request(document, env)

    run(env, body)


@service_app.command("advance")
def service_advance(
    request_id: RequestId,
    trigger: Annotated[str, typer.Argument(help="The step, e.g. acknowledge, hold, resolve.")],
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Step content NAME=VALUE (repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A free note.")] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", help="Refuse (exit 4) unless the request is at this version.",
                     min=0, max=MAX_ID),
    ] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Take one step of a request: dispatch, acknowledge, hold, resume, escalate, resolve,
    reopen, close, cancel."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        fields = parse_fields(field)
        with env.transaction() as session:
            step = advance_request(
                session, desk=env.desk, policy=env.deadline_policy, case_id=request_id,
                trigger=trigger.strip().lower(), fields=fields, note=note, actor=env.actor,
                now=env.now, expected_version=version,
            )
            case, request = get_request(session, step.case.id or request_id)
            document = request_detail(session, case, request, env.now)
        _print_request(document, env)

    run(env, body)


@service_app.command("show")
def service_show(
    request_id: RequestId,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """A request: its state, assignee, SLA clocks, follow-ups and trail."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            case, request = get_request(session, request_id)
            document = request_detail(session, case, request, env.now)
        _print_request(document, env)

    run(env, body)


@service_app.command("list")
def service_list(
    state: Annotated[str | None, typer.Option("--state")] = None,
    assignee: Annotated[str | None, typer.Option("--assignee")] = None,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 500,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Requests, newest first."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            rows = list_requests(session, state=state, assignee=assignee, customer=customer,
                                 limit=limit)
            documents = request_documents(session, rows, env.now)
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table("#", "state", "customer", "tier", "sev", "assignee", "title", "due")
        for d in documents:
            due = min((c.due_at for c in d.clocks if c.status == "running"), default=None)
            table.add_row(str(d.id), d.state, d.customer, d.tier, d.severity,
                          d.assignee or "-", d.title[:40], readable(due) if due else "-")
        stdout.print(table)

    run(env, body)


def _score(name: str, value: int | None, low: int, high: int) -> int | None:
    if value is not None and not low <= value <= high:
        raise BadInput(f"{name}: must be {low}-{high} (got {value})", field=name)
    return value


@service_app.command("follow-up")
def service_follow_up(
    request_id: RequestId,
    solved: Annotated[str, typer.Option("--solved", help="yes or no.")],
    overall: Annotated[int, typer.Option("--overall", help="Satisfaction 1-5.")],
    nps: Annotated[int | None, typer.Option("--nps", help="Likelihood to recommend 0-10.")]
    = None,
    reliability: Annotated[int | None, typer.Option("--reliability")] = None,
    assurance: Annotated[int | None, typer.Option("--assurance")] = None,
    tangibles: Annotated[int | None, typer.Option("--tangibles")] = None,
    empathy: Annotated[int | None, typer.Option("--empathy")] = None,
    responsiveness: Annotated[int | None, typer.Option("--responsiveness")] = None,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Record the customer's answer from a follow-up call: solved closes, not solved
    reopens."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        answer_text = solved.strip().lower()
        if answer_text not in ("yes", "no"):
            raise BadInput(f"solved: must be yes or no (got '{solved}')", field="solved")
        dimensions = {
            name: value for name, value in (
                ("reliability", _score("reliability", reliability, 1, 5)),
                ("assurance", _score("assurance", assurance, 1, 5)),
                ("tangibles", _score("tangibles", tangibles, 1, 5)),
                ("empathy", _score("empathy", empathy, 1, 5)),
                ("responsiveness", _score("responsiveness", responsiveness, 1, 5)),
            ) if value is not None
        }
        answer = Answer(solved=answer_text == "yes", overall=overall, nps=nps,
                        dimensions=dimensions, comment=comment)
        with env.transaction() as session:
            record_follow_up(session, desk=env.desk, policy=env.deadline_policy,
                             case_id=request_id, answer=answer, channel="phone", by=env.actor,
                             actor=env.actor, now=env.now)
            case, request = get_request(session, request_id)
            document = request_detail(session, case, request, env.now)
        _print_request(document, env)

    run(env, body)


@service_app.command("import")
def service_import(
    file: Annotated[str, typer.Argument(
        metavar="FILE.csv", help=f"CSV with the header {','.join(COLUMNS)}.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Take in every request of a CSV file, each at its received_at. Exit 2 when rows are
    rejected, BUT THE GOOD ROWS STAY IMPORTED; importing the file again takes in only what is
    new."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        env.engine()  # a wrong --db is refused whole, not as every row failing
        report = import_requests(file, transaction=env.transaction, desk=env.desk,
                                 policy=env.deadline_policy, actor=env.actor, now=env.now)
        document = import_document(report)
        if env.as_json:
            print_json(document.as_json())
        else:
            skipped = (f"; {len(document.skipped)} already imported, skipped"
                       if document.skipped else "")
            stdout.print(f"Imported {len(document.imported)} of {document.rows} rows from "
                         f"{document.file}{skipped}.", highlight=False, markup=False)
            for row in document.imported:
                stdout.print(f"line {row.line}: request #{row.request} to "
                             f"{row.assignee or 'nobody (flagged)'}", highlight=False,
                             markup=False)
            for rejection in document.rejected:
                stdout.print(f"line {rejection.line}: {rejection.message}", highlight=False,
                             markup=False)
        if document.error is not None:
            stderr.print(f"error: {document.error.message}", markup=False, highlight=False)
            raise typer.Exit(BadInput.exit_code)

    run(env, body)
