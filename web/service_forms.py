"""What the service desk's pages share: the step forms of a request (each allowed step with
the inputs it needs: people to dispatch to, the severities above the current one, a
signature for close and cancel), the follow-up form's scales, and a refusal shown beside its
form. The rules stay in servicedesk; this only says how a form reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from capaflow.accounts.signatures import meaning_for
from capaflow.casework.engine import needs_signature
from capaflow.documents.service import RequestPublic
from capaflow.errors import CapaError
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import absent_at, list_people
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.lifecycle import FieldRule
from capaflow.web.forms import FieldInput, StepForm

# How the service steps read on their buttons (web.forms.step_label reads the others).
STEP_LABELS = {
    "dispatch": "Dispatch",
    "acknowledge": "Acknowledge: first response given",
    "hold": "Put on hold (waiting on the customer)",
    "resume": "Resume",
    "escalate": "Escalate",
    "resolve": "Resolve",
    "close": "Close",
    "reopen": "Reopen",
    "cancel": "Cancel the request",
}
FIELD_LABELS = {
    "assignee": "Assignee",
    "reason": "Reason",
    "response": "First response to the customer",
    "severity": "New severity",
    "resolution": "Resolution",
}
# `follow_up` is the desk's own step, taken when the survey goes out (servicedesk.requests);
# the outcome of a close is the follow-up's: neither is a person's input on a form.
NOT_ON_FORMS = ("follow_up",)
HIDDEN_FIELDS = {"close": ("outcome",)}
SCALE = tuple((str(n), str(n)) for n in range(1, 6))
NPS_SCALE = tuple((str(n), str(n)) for n in range(0, 11))


@dataclass(frozen=True)
class Problem:
    """A refusal shown on the page, beside the form it concerns ("step", "follow_up",
    "open")."""

    message: str
    field: str | None
    form: str
    trigger: str = ""

    @classmethod
    def of(cls, exc: CapaError, form: str, trigger: str = "") -> Problem:
        return cls(message=exc.message, field=exc.field, form=form, trigger=trigger)


def people_choices(session: Session, now: datetime) -> tuple[tuple[str, str], ...]:
    """Everyone the desk dispatches to, by team; those away now say so (dispatch refuses
    them, naming the assignee)."""
    people = list_people(session)
    away = absent_at(session, [p.id for p in people if p.id is not None], now)
    return tuple(
        (p.name, f"{p.name} · {p.team}{' (lead)' if p.lead else ''}"
                 f"{' · absent' if p.id in away else ''}")
        for p in people
    )


def severity_choices(desk: ServiceDesk, above: str | None = None) -> tuple[tuple[str, str], ...]:
    """The configured severities with their titles, most severe first; with `above`, only
    those more severe than it (escalating only ever raises the severity)."""
    ranked = sorted(desk.section.severities.items(), key=lambda item: item[1].rank)
    return tuple(
        (code, f"{code} · {spec.title}") for code, spec in ranked
        if above is None or spec.rank < desk.rank(above)
    )


def _input(name: str, *, required: bool,
           choices: tuple[tuple[str, str], ...] = ()) -> FieldInput:
    return FieldInput(name=name, label=FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                      hint="", required=required, choices=choices)


def request_steps(
    session: Session, desk: ServiceDesk, request: RequestPublic, now: datetime,
) -> list[StepForm]:
    """A form for each step the request may take now, with the fields its guard asks for."""
    machine = LIFECYCLES["service"]
    forms = []
    for trigger in request.allowed_triggers:
        if trigger in NOT_ON_FORMS:
            continue
        rule = machine.fields.get(trigger) or FieldRule()
        inputs = []
        for name in (*rule.required, *rule.optional):
            if name in HIDDEN_FIELDS.get(trigger, ()):
                continue
            required = name in rule.required
            if trigger == "dispatch" and name == "reason":
                # A re-dispatch needs its reason (servicedesk.requests).
                required = request.state != "received"
            choices: tuple[tuple[str, str], ...] = ()
            if name == "assignee":
                choices = people_choices(session, now)
            elif name == "severity":
                choices = severity_choices(desk, above=request.severity)
            inputs.append(_input(name, required=required, choices=choices))
        signed = needs_signature(machine, request.state, trigger)
        forms.append(StepForm(
            trigger=trigger, label=STEP_LABELS.get(trigger, trigger.capitalize()),
            dest=machine.dest(trigger, request.state) or request.state, fields=tuple(inputs),
            signed=signed, meaning=meaning_for("service", trigger) if signed else None,
            danger=trigger in ("cancel", "reopen"),
        ))
    return forms
