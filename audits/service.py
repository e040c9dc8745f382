"""Audits through the engine: plan, conduct (failed items → findings), close findings, close.

Every change is a step of the audit case (statemachines/audit.py) taken with `advance`, so it
is guarded, hash-chained and scheduled like any other step, in the caller's one transaction.
The finding rows are the truth about what is still open: `close_audit` counts them and refuses
(exit 4, naming how many) before the lifecycle's own count is even asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from capaflow.audits.checklist import AuditPolicy
from capaflow.casework.engine import StepResult, advance, open_case
from capaflow.config.policies import FACTORS
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import finding_key, meet_obligation, start_obligation
from capaflow.errors import BadInput, Conflict, NotFound, check_text
from capaflow.models import AuditFinding, Case, Supplier
from capaflow.models.queries import get_case

LIFECYCLE = "audit"
_TEXT_LIMIT = 20_000
_OWNER_LIMIT = 100


@dataclass(frozen=True)
class Failure:
    """A checklist item that failed, as the auditor wrote it down."""

    item: str
    description: str
    owner: str | None = None
    due_at: datetime | None = None


@dataclass
class ConductResult:
    steps: list[StepResult]
    findings: list[AuditFinding]


@dataclass
class AuditView:
    case: Case
    supplier: str | None
    findings: list[AuditFinding] = field(default_factory=list)

    @property
    def open_findings(self) -> list[AuditFinding]:
        return [f for f in self.findings if f.status == "open"]


def _audit_case(session: Session, case_id: int) -> Case:
    case = get_case(session, case_id)
    if case.lifecycle != LIFECYCLE:
        raise BadInput(
            f"case: case {case_id} is a {case.lifecycle} case, not an audit", field="case"
        )
    return case


def plan_audit(
    session: Session,
    *,
    supplier_code: str,
    title: str | None,
    owner: str | None,
    scope: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    """Open an audit case for a supplier, in `planned`, with its "conduct" clock running."""
    return open_case(
        session, lifecycle=LIFECYCLE,
        title=title or f"On-site audit (5M1E) of {supplier_code}",
        supplier_code=supplier_code, part=None, defect_code=None, severity="major",
        complex_cause=False, owner=owner, team=None, problem=scope, actor=actor, now=now,
        policy=policy,
    )


def _findings(
    *,
    case: Case,
    failures: Sequence[Failure],
    owner: str | None,
    now: datetime,
    policy: DeadlinePolicy,
    audit_policy: AuditPolicy,
) -> list[AuditFinding]:
    """The finding rows for `failures`, checked; nothing is written here."""
    default_due = policy.calendar.add(now, audit_policy.finding_due)
    seen: set[str] = set()
    findings = []
    for failure in failures:
        item = audit_policy.item(failure.item, field="fail")
        if item.id in seen:
            raise BadInput(f"fail: '{item.id}' is given twice", field="fail")
        seen.add(item.id)
        who = failure.owner or owner or case.owner
        if not who or not who.strip():
            # A finding nobody owes is one nobody closes.
            raise BadInput(
                f"owner: the finding on '{item.id}' needs an owner (--owner, or the audit's)",
                field="owner",
            )
        due_at = failure.due_at or default_due
        if due_at <= now:
            raise BadInput(f"due: the finding on '{item.id}' would be due already", field="due")
        findings.append(AuditFinding(
            case_id=case.id or 0, factor=item.factor, item=item.id,
            description=check_text("description", failure.description, limit=_TEXT_LIMIT,
                                   required=True),
            owner=check_text("owner", who, limit=_OWNER_LIMIT, required=True), due_at=due_at,
            created_at=now,
        ))
    return findings


def conduct_audit(
    session: Session,
    *,
    case_id: int,
    auditors: str,
    failures: Sequence[Failure],
    owner: str | None,
    site: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    audit_policy: AuditPolicy,
) -> ConductResult:
    """Record the audit: every item not in `failures` passed.

    Failed items become findings and the audit waits for them (findings_open); with none
    failed it closes on the spot, two steps in the one transaction.
    """
    case = _audit_case(session, case_id)
    findings = _findings(case=case, failures=failures, owner=owner, now=now,
                         policy=policy, audit_policy=audit_policy)
    failed = [f.item for f in findings]
    total = len(audit_policy.checklist)
    fields = {
        "auditors": auditors,
        "checklist": f"{total} items checked, {total - len(failed)} passed, {len(failed)} failed",
    }
    if failed:
        fields["failed_items"] = ", ".join(failed)
    if site:
        fields["site"] = site
    steps = [advance(session, case_id=case_id, trigger="conduct", fields=fields, note=None,
                     actor=actor, now=now, policy=policy)]
    if findings:
        steps.append(_raise(session, case_id=case_id, findings=findings, actor=actor, now=now,
                            policy=policy))
    else:
        steps.append(advance(session, case_id=case_id, trigger="close",
                             fields={"summary": "no checklist item failed"}, note=None,
                             actor=actor, now=now, policy=policy))
    return ConductResult(steps=steps, findings=findings)


def _raise(
    session: Session, *, case_id: int, findings: list[AuditFinding], actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    # The step first: it refuses (exit 4) an audit that is not conducted or already closed.
    step = advance(session, case_id=case_id, trigger="raise_findings",
                   fields={"findings": str(len(findings)),
                           "items": ", ".join(f.item for f in findings)},
                   note=None, actor=actor, now=now, policy=policy)
    session.add_all(findings)
    session.flush()
    # Each finding is owed by its own date: a deadline row of its own on the audit, which
    # the sweep reminds before that date and escalates after it like any other obligation.
    for finding in findings:
        assert finding.id is not None
        start_obligation(
            session, case=step.case, key=finding_key(finding.id),
            title=f"Close audit finding #{finding.id} ({finding.item}), owed by {finding.owner}",
            started_by="raise_findings", started_seq=step.event.seq, due_at=finding.due_at,
            now=now, policy=policy,
        )
    return step


def add_finding(
    session: Session,
    *,
    case_id: int,
    failure: Failure,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    audit_policy: AuditPolicy,
) -> tuple[StepResult, AuditFinding]:
    """One more finding on an audit already conducted (found while writing the report)."""
    case = _audit_case(session, case_id)
    [finding] = _findings(case=case, failures=[failure], owner=None, now=now,
                          policy=policy, audit_policy=audit_policy)
    step = _raise(session, case_id=case_id, findings=[finding], actor=actor, now=now,
                  policy=policy)
    return step, finding


def close_finding(
    session: Session,
    *,
    finding_id: int,
    resolution: str,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
) -> tuple[StepResult, AuditFinding]:
    finding = session.get(AuditFinding, finding_id)
    if finding is None:
        raise NotFound(f"finding {finding_id} does not exist", field="finding")
    if finding.status != "open":
        raise Conflict(f"finding {finding_id} is already closed", field="finding")
    text = check_text("resolution", resolution, limit=_TEXT_LIMIT, required=True)
    # The step is the version-checked write: of two people closing at once, one is told.
    step = advance(session, case_id=finding.case_id, trigger="close_finding",
                   fields={"finding": str(finding_id), "resolution": text}, note=None,
                   actor=actor, now=now, policy=policy)
    finding.status = "closed"
    finding.closed_at = now
    finding.closed_by = actor
    finding.resolution = text
    session.add(finding)
    session.flush()
    # Met in the same transaction: no reminder or escalation about it is sent after this.
    meet_obligation(session, case_id=finding.case_id, key=finding_key(finding_id),
                    seq=step.event.seq, now=now)
    return step, finding


def _open_findings(session: Session, case_id: int) -> list[int]:
    return list(session.exec(
        select(AuditFinding.id).where(AuditFinding.case_id == case_id)
        .where(AuditFinding.status == "open").order_by(col(AuditFinding.id))
    ).all())  # type: ignore[arg-type]


def close_audit(
    session: Session,
    *,
    case_id: int,
    summary: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    signature: Mapping[str, Any] | None = None,
) -> StepResult:
    """Close the audit; refused (exit 4) while any of its findings is open.

    `signature`: the closer's (accounts.signatures.sign), when the close comes from a page
    or the API, where ending a case is a signed decision (casework.decisions); it is kept on
    the close event.
    """
    case = _audit_case(session, case_id)
    still_open = _open_findings(session, case_id)
    if still_open and case.state == "findings_open":
        listed = ", ".join(f"#{n}" for n in still_open)
        raise Conflict(
            f"audit {case_id} has {len(still_open)} open finding"
            f"{'s' if len(still_open) != 1 else ''} ({listed}): close each one first",
            field="findings", allowed=("close_finding", "raise_findings", "cancel"),
        )
    fields = {"summary": summary.strip()} if summary and summary.strip() else {}
    return advance(session, case_id=case_id, trigger="close", fields=fields, note=None,
                   actor=actor, now=now, policy=policy, signature=signature)


def cancel_audit(
    session: Session, *, case_id: int, reason: str, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    _audit_case(session, case_id)
    return advance(session, case_id=case_id, trigger="cancel", fields={"reason": reason},
                   note=None, actor=actor, now=now, policy=policy)


def show_audit(session: Session, *, case_id: int) -> AuditView:
    case = _audit_case(session, case_id)
    supplier = session.get(Supplier, case.supplier_id) if case.supplier_id else None
    findings = list(session.exec(
        select(AuditFinding).where(AuditFinding.case_id == case_id)
        .order_by(col(AuditFinding.id))
    ).all())
    findings.sort(key=lambda f: (FACTORS.index(f.factor) if f.factor in FACTORS else 99,
                                 f.id or 0))
    return AuditView(case=case, supplier=supplier.code if supplier else None, findings=findings)


def open_for_escalation(
    session: Session, *, code: str, month: str, why: str, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> int:
    """The on-site audit a grade escalation calls for, opened as a planned audit case.

    `policy` is required: the deadline policies of the run that escalates (its --config
    included), so the audit's clocks follow the site's override, not the defaults.
    """
    result = plan_audit(
        session, supplier_code=code,
        title=f"On-site audit (5M1E) of {code}: {why} ({month})"[:300],
        owner=None, scope=f"Escalation of the monthly grade: {why} ({month}).",
        actor=actor, now=now, policy=policy,
    )
    assert result.case.id is not None
    return result.case.id


