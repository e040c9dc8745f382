"""Request bodies: what the API accepts, checked before any service runs.

The bounded field types are serving.fields, shared with the pages. Domain checks (codes,
states, required step fields) stay in the services, shared with the CLI.
"""

from __future__ import annotations

from pydantic import Field

from capaflow.serving.fields import Body, Count, Id, Short, Text


class OpenCase(Body):
    title: Text
    lifecycle: Short = "8d"
    supplier: Short | None = None
    part: Short | None = None
    defect_code: Short | None = None
    severity: Short = "major"
    complex: bool = False
    owner: Short | None = None
    team: Text | None = None
    problem: Text | None = None


class Advance(Body):
    trigger: Short
    fields: dict[Short, Text] = Field(default_factory=dict)
    note: Text | None = None
    # The version the client read: refused with 409 if someone else moved the case since.
    version: Id | None = None
    # A step that ends the case is a signed decision: the user's own password, re-entered.
    password: Text | None = Field(default=None, json_schema_extra={"format": "password"})


class NewSupplier(Body):
    code: Short
    name: Short
    contact: Text | None = None
    quality_head: Text | None = None
    executive: Text | None = None


class SupplierChanges(Body):
    """PATCH /suppliers/{code}: only the fields given change; "" clears a contact."""

    name: Short | None = None
    contact: Text | None = None
    quality_head: Text | None = None
    executive: Text | None = None


class NewDefect(Body):
    supplier: Short
    part: Short
    defect_code: Short
    quantity: Count = 1
    occurred_at: Short | None = None  # ISO-8601 with offset; default now
    source: Short = "line"
    note: Text | None = None
    severity: Short = "major"
    # The pieces the defective ones came from, if known (README, "Batch versus sporadic").
    lot_size: Count | None = None


class Classify(Body):
    """The quality lead's classification of an 8D case (README, "Batch versus sporadic")."""

    # "as", as the CLI's --as: batch, sporadic, one_off or unavoidable.
    as_: Short = Field(alias="as")
    reason: Text


class NewLot(Body):
    supplier: Short
    part: Short
    lot: Short
    lot_size: Count
    sampled: Count
    defects: Count
    defect_code: Short | None = None
    aql: Short | None = None
    level: Short | None = None
    inspected_at: Short | None = None  # ISO-8601 with offset; default now
    irregular_production: bool = False
    # The delivery's documents (inspection.delivery); left out: not recorded, which never
    # counts against the supplier.
    outgoing_report: bool | None = None
    certificates: bool | None = None
    production_lot: Short | None = None


class NewRating(Body):
    month: Short  # YYYY-MM, now's month or earlier
    attitude: Short  # very_cooperative, cooperative, basically_cooperative, not_cooperative


class ScorecardRun(Body):
    month: Short  # YYYY-MM, now's month or earlier


class NewCost(Body):
    kind: Short
    # A string, as the CLI's --amount and the documents: money is not a float.
    amount: Short
    currency: Short
    at: Short | None = None  # when it was incurred, ISO-8601 with offset; default now
    note: Text | None = None


# -- the service desk ------------------------------------------------------------------------

class NewCustomer(Body):
    code: Short
    name: Short
    tier: Short
    contact: Text | None = None  # an Apprise URL


class NewPerson(Body):
    name: Short
    team: Short
    skills: list[Short] = Field(default_factory=list, max_length=100)
    lead: bool = False


class NewAbsence(Body):
    # As the CLI's --from/--to: ISO-8601 with offset.
    starts_at: Short = Field(alias="from")
    ends_at: Short = Field(alias="to")


class OpenRequest(Body):
    customer: Short
    kind: Short
    severity: Short
    category: Short
    channel: Short = "api"
    title: Text
    description: Text | None = None
    # Left out: dispatched by the rules (category, skill, load, absence).
    assignee: Short | None = None


class FollowUpAnswer(Body):
    solved: bool
    overall: int = Field(ge=-1000, le=1000)  # the scale (1-5) is the service's to check
    nps: int | None = Field(default=None, ge=-1000, le=1000)
    reliability: int | None = Field(default=None, ge=-1000, le=1000)
    assurance: int | None = Field(default=None, ge=-1000, le=1000)
    tangibles: int | None = Field(default=None, ge=-1000, le=1000)
    empathy: int | None = Field(default=None, ge=-1000, le=1000)
    responsiveness: int | None = Field(default=None, ge=-1000, le=1000)
    comment: Text | None = None


# -- supplier audits (5M1E): planned, conducted, findings raised and closed ---------------

class AuditPlan(Body):
    supplier: Short
    title: Short | None = None
    owner: Short | None = None  # who leads the audit
    scope: Text | None = None  # site, lines, parts


class AuditFailure(Body):
    """A checklist item that failed: the item's id (`capa supplier-audit checklist`) and what
    was found."""

    item: Short
    description: Text


class AuditConduct(Body):
    auditors: Short
    # Every checklist item not named here passed.
    failures: list[AuditFailure] = Field(default_factory=list, max_length=200)
    owner: Short | None = None  # who owes the findings (default: the audit's owner)
    site: Short | None = None


class NewFinding(Body):
    item: Short
    description: Text
    owner: Short
    due: Short | None = None  # ISO-8601 with offset; default [audit] finding_due from now


class FindingClose(Body):
    resolution: Text  # the action taken and the evidence it worked
class ReclassifyDefect(Body):
    """The quality lead's class for one defect (docs/architecture.md, "Defect triage")."""

    as_: Short = Field(alias="as")
    reason: Text
    open_case: bool = False


class MergeDefects(Body):
    """Several defects of one supplier into one 8D case: `case`, or one opened for them."""

    defects: list[Id] = Field(max_length=500)
    case: Id | None = None
    reason: Text
    # Asked for when the merge cancels a case left without defects (a signed decision).
    password: Text | None = Field(default=None, json_schema_extra={"format": "password"})


class CloseDefects(Body):
    """Several defects marked handled; `cancel_cases`: cancel the cases left with none open."""

    defects: list[Id] = Field(max_length=500)
    reason: Text
    cancel_cases: bool = False
    password: Text | None = Field(default=None, json_schema_extra={"format": "password"})


class PartsReceivedNote(Body):
    """The parts a case owed arrived, as `capa defect parts-received`."""

    note: Text | None = None


class ResumeInspection(Body):
    """A discontinued part resumed at tightened inspection, as `capa inspect resume`."""

    supplier: Short
    part: Short
    reason: Text
