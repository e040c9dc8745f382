"""The typed model of config/default.toml: one pydantic class per section.

The merged document (defaults plus a site's override, `loader.load_policies`) is validated
here once. Types, bounds, unknown keys and the duration texts ("24h", "7d", "3bd", "6mo") are
checked by the model; a bad value becomes BadInput naming its key path exactly
(`deadlines.8d.root_cause.due: ...`, `escalation.ladder[1].after: ...`), in `refusal`, the
one place a ValidationError is turned into the contract's exit 2.

What needs another package's knowledge (the lifecycles' step names, the notice roles, the
AQL series) is checked by the package that owns it, on top of this model: deadlines.policy,
inspection.policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from capaflow.calendars import BusinessCalendar, Duration
from capaflow.config.attachments import AttachmentsSection
from capaflow.config.catalogues import DefectCodes
from capaflow.config.departments import DepartmentSection, check_departments
from capaflow.config.incidents import IncidentsSection
from capaflow.config.notices import EscalationSection, RemindersSection
from capaflow.config.sections import (
    DurationText,
    FixedSpan,
    Flag,
    Name,
    Names,
    Number,
    PolicyError,
    PositiveWhole,
    Section,
    Text,
    Whole,
    as_duration,
    refuse,
)
from capaflow.config.service import ServiceSection
from capaflow.config.spotchecks import SpotchecksSection, check_spotchecks
from capaflow.config.standards import StandardsSection, check_standards
from capaflow.config.targets import Targets, check_targets

# --- [calendar] --------------------------------------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or any(d not in WEEKDAYS for d in value):
        raise refuse(f"expected day names from {', '.join(WEEKDAYS)}")
    return tuple(value)


class CalendarSection(Section):
    timezone: str = "UTC"
    holidays_country: str = ""
    holidays_subdivision: str = ""
    workdays: Annotated[tuple[str, ...], PlainValidator(_weekdays)] = WEEKDAYS[:5]

    @model_validator(mode="after")
    def _zone_and_holidays_exist(self) -> CalendarSection:
        try:
            self.business_calendar()
        except ValueError as exc:
            raise refuse(str(exc)) from None
        return self

    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            timezone=self.timezone,
            country=self.holidays_country or None,
            subdivision=self.holidays_subdivision or None,
            workdays=tuple(WEEKDAYS.index(d) for d in self.workdays),
        )


# --- [deadlines], [reminders], [escalation], [reviews] -----------------------------------------

SEVERITIES = ("minor", "major", "critical")
COMPLEXITIES = ("general", "complex")


class DueTable(Section):
    """A deadline's due time by severity and complexity; the most specific key wins."""

    # "severity+complexity" keys are not Python names: aliases read them.
    default: DurationText
    minor: DurationText | None = None
    major: DurationText | None = None
    critical: DurationText | None = None
    general: DurationText | None = None
    complex: DurationText | None = None
    minor_general: DurationText | None = Field(None, alias="minor+general")
    minor_complex: DurationText | None = Field(None, alias="minor+complex")
    major_general: DurationText | None = Field(None, alias="major+general")
    major_complex: DurationText | None = Field(None, alias="major+complex")
    critical_general: DurationText | None = Field(None, alias="critical+general")
    critical_complex: DurationText | None = Field(None, alias="critical+complex")

    def as_table(self) -> dict[str, Duration]:
        """The durations given, keyed as in the TOML ("default", "major+complex", ...)."""
        return {
            (info.alias or name): value
            for name, info in type(self).model_fields.items()
            if (value := getattr(self, name)) is not None
        }


class MilestoneSection(Section):
    title: str | None = None
    starts_on: Names = ()
    met_by: Names = ()
    due: DueTable
    every: DurationText | None = None
    kind: Literal["obligation", "review", "window"] = "obligation"

    @field_validator("due", mode="before")
    @classmethod
    def _one_duration_is_the_default(cls, value: object) -> object:
        if isinstance(value, str):
            as_duration(value)  # refused here, naming `due` itself rather than `due.default`
            return {"default": value}
        if not isinstance(value, Mapping | DueTable):
            raise refuse("expected a duration or a table of durations")
        return value


class ReviewsSection(Section):
    notify: Names = ("owner",)


# --- [sweep], [intake], [dispatch], [schedules] ------------------------------------------------


class SweepSection(Section):
    batch_size: Annotated[Whole, Field(ge=1, le=100_000)] = 500
    # Who the audit trail names for the steps the sweep takes by itself.
    actor: Name = "capaflow"


class ClassificationSection(Section):
    """When a recorded defect is a batch defect rather than a sporadic one (README, "Batch
    versus sporadic"): either threshold reached makes it a batch."""

    # The defective pieces of the one event at or above which it is a batch defect.
    batch_min_quantity: Annotated[Whole, Field(ge=1)] = 10
    # The share of the lot that is defective, at or above which it is a batch defect; used
    # only when the lot size is known (`--lot-size`, a rejected lot at incoming inspection).
    batch_min_rate: Annotated[Number, Field(gt=0, le=1)] = 0.02


class PartsObligationSection(Section):
    """What the supplier owes for the defective pieces themselves: a deadline on the 8D case,
    reminded and escalated by the sweep like any obligation."""

    title: Annotated[Text, StringConstraints(max_length=200)]
    due: DurationText


class IntakeSection(Section):
    # A defect matching no open case, or only a case closed as effective, opens a new 8D case;
    # off, the defect is only recorded (a site that opens cases by hand after triage).
    open_new_case: Flag = True
    # How many of the supplier's next lots of the part are inspected 100 %
    # (docs/architecture.md, "Quality rules": 3).
    inspection_lots: Annotated[Whole, Field(ge=1)] = 3
    # Batch versus sporadic (README, "Batch versus sporadic").
    classification: ClassificationSection = ClassificationSection()
    # A batch defect: parts confirmed good, at once.
    good_parts: PartsObligationSection = PartsObligationSection(
        title="Send replacement parts confirmed good (batch defect)", due=Duration(24, "h"),
    )
    # A sporadic defect (or one the lead marks one_off / unavoidable): the pieces replaced.
    replacement: PartsObligationSection = PartsObligationSection(
        title="Replace the defective pieces (sporadic defect)", due=Duration(3, "bd"),
    )


class DispatchSection(Section):
    max_attempts: PositiveWhole
    backoff_seconds: PositiveWhole
    batch_size: PositiveWhole
    # Sends of a batch in flight at once (notifications.dispatch, "Concurrency"); bounded so
    # a typo cannot open hundreds of connections to one webhook.
    concurrency: Annotated[Whole, Field(ge=1, le=32)] = 8


class SchedulesSection(Section):
    """Cron schedules of the flows: the one home of them (flows.deployments, prefect.yaml)."""

    sweep: Text
    dispatch: Text
    scorecard: Text
    service_digest: Text
    # The month's planned quality inspection rounds ([standards.rounds]).
    round_plan: Text = "0 5 1 * *"
    incident_drills: Text = "0 8 * * *"
    # The monthly service quality review closes the month just ended (targets.closing).
    monthly_review: Text = "0 7 1 * *"
    # The weekly spot-check draw of the week just ended ([spotchecks]).
    spotcheck_draw: Text = "0 6 * * 1"


# --- [scorecard] -------------------------------------------------------------------------------

Share = Annotated[Number, Field(ge=0, le=1)]
Points = Annotated[Number, Field(ge=0, le=100)]
Measure = Annotated[Number, Field(ge=0)]


class Scale(Section):
    """Points 0–100, linear between the measure that earns all (`full`) and none (`zero`)."""

    full: Measure
    zero: Measure

    @model_validator(mode="after")
    def _ends_differ(self) -> Scale:
        if self.full == self.zero:
            raise refuse("full and zero must differ")
        return self

    def points(self, measure: float) -> float:
        # Either end may be the larger: acceptance earns more as it rises, PPM as it falls.
        share = (measure - self.zero) / (self.full - self.zero)
        return 100.0 * min(1.0, max(0.0, share))


class ShareScale(Scale):
    """A scale of a share (acceptance, response speed): both ends 0 to 1."""

    full: Share
    zero: Share


class Weights(Section):
    # Relative weights; they need not add up to 100. In the order reports show them.
    acceptance: Measure
    ppm: Measure
    line_defects: Measure
    response_speed: Measure
    cooperation: Measure
    recurrence: Measure
    # The share of lots delivered with their documents, among the lots they were recorded for.
    delivery_documents: Measure


class Scales(Section):
    acceptance: ShareScale
    ppm: Scale
    line_defects: Scale
    response_speed: ShareScale
    recurrence: Scale
    delivery_documents: ShareScale


class AttitudePoints(Section):
    very_cooperative: Points
    cooperative: Points
    basically_cooperative: Points
    not_cooperative: Points


class GradeFloors(Section):
    """The lowest score of each grade, descending; below D's is E."""

    A: Points
    B: Points
    C: Points
    D: Points

    @model_validator(mode="after")
    def _descending(self) -> GradeFloors:
        floors = list(self.model_dump().items())
        for (upper, high), (lower, low) in zip(floors, floors[1:], strict=False):
            if low >= high:
                raise refuse(
                    f"must be below {upper}'s {high:g} (bands are the lowest score of each grade)",
                    at=lower,
                )
        return self


class ScorecardSection(Section):
    actor: Name = "capaflow"
    # The attitude a month without the quality lead's rating counts as.
    unrated_attitude: str
    weights: Weights
    scales: Scales
    attitude_points: AttitudePoints
    grades: GradeFloors
    # Off: a run of C (or D) escalates once, in its 3rd month. On: again in its 6th, 9th, ...
    # month, for as long as the run lasts.
    repeat_run_escalations: Flag = False

    @field_validator("unrated_attitude")
    @classmethod
    def _an_attitude(cls, value: str) -> str:
        if value not in AttitudePoints.model_fields:
            raise refuse(f"must be one of {', '.join(AttitudePoints.model_fields)}")
        return value


# --- [inspection], [audit], [web] --------------------------------------------------------------


def _aql(value: object) -> str | int | float:
    # The AQL series is the sampling tables' knowledge (inspection.policy checks the value);
    # here only its type: TOML gives `1.0`, a site may write "1.0".
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise refuse(f"{value!r} is not an AQL")
    return value


class InspectionSection(Section):
    default_aql: Annotated[str | int | float, PlainValidator(_aql)] = "1.0"
    default_level: str = "II"
    # ISO 2859-1 9.3.3.2 c): reduced inspection only when the responsible authority considers
    # it desirable. Off by default: a site decides that, the software does not.
    reduced_approved: Flag = False
    # ISO 2859-1 9.3.3.2 a): the switching score at which normal may go to reduced.
    switching_score_to_reduced: Annotated[Whole, Field(ge=1)] = 30
    # The general level a supplier rated not cooperative is sampled at, at the least;
    # "" leaves the level as planned (inspection.policy checks it is a general level).
    not_cooperative_level: str = "III"


ChecklistItems = dict[str, Text]


class Checklist(Section):
    """The 5M1E checklist: the six factors are fixed, their items are the site's."""

    people: ChecklistItems = {}
    machines: ChecklistItems = {}
    materials: ChecklistItems = {}
    methods: ChecklistItems = {}
    environment: ChecklistItems = {}
    measurement: ChecklistItems = {}

    @model_validator(mode="after")
    def _every_factor_has_an_item(self) -> Checklist:
        # An audit that leaves a factor out is not a 5M1E audit: refuse the policy, not the audit.
        missing = [f for f in type(self).model_fields if not getattr(self, f)]
        if missing:
            raise refuse(f"every factor needs at least one item; missing: {', '.join(missing)}")
        return self



# The six factors of a cause (5M1E), in the checklist's order: the audits, the service
# standards' items, the incident reviews and the monthly review's Pareto all use these names.
FACTORS: tuple[str, ...] = tuple(Checklist.model_fields)

class AuditSection(Section):
    finding_due: DurationText = Duration(14, "d")
    checklist: Checklist


class WebSection(Section):
    session_valid: FixedSpan
    supplier_link_valid: FixedSpan
    # How long `capa customer link` lets a customer into their portal, unless --valid says.
    customer_link_valid: FixedSpan


class SecuritySection(Section):
    """Password guessing and hashing (docs/architecture.md, "Rows, not timers": the throttle's
    counts are rows, so every worker process sees the same ones). Bounded: a typo must not
    turn the throttle off or lock everyone out at the first miss."""

    # Wrong passwords an account or an address may give before each further one makes it wait.
    throttle_after: int = Field(default=3, strict=True, ge=1, le=100)
    # The first wait, in seconds; it doubles with each further failure, up to the ceiling.
    throttle_base_delay: int = Field(default=1, strict=True, ge=1, le=3600)
    throttle_max_delay: int = Field(default=300, strict=True, ge=1, le=86400)
    # An address's count starts again after this long without a failure (seconds).
    throttle_reset: int = Field(default=3600, strict=True, ge=60, le=30 * 86400)
    # Wrong passwords in a row after which the account is locked until a quality manager
    # unlocks it (`capa user unlock NAME --by MANAGER`).
    lockout_after: int = Field(default=10, strict=True, ge=2, le=1000)
    # How many password hashes (scrypt, ~32 MiB each) one process computes at once.
    hash_slots: int = Field(default=2, strict=True, ge=1, le=64)

    @model_validator(mode="after")
    def _ceiling(self) -> SecuritySection:
        if self.throttle_max_delay < self.throttle_base_delay:
            raise refuse("throttle_max_delay must be at least throttle_base_delay",
                         at="throttle_max_delay")
        if self.lockout_after <= self.throttle_after:
            raise refuse("lockout_after must be more than throttle_after", at="lockout_after")
        return self


# --- the whole document ------------------------------------------------------------------------


class Policies(Section):
    """config/default.toml with a site's override merged in, checked."""

    calendar: CalendarSection = CalendarSection()
    # lifecycle → milestone key → milestone; which lifecycles exist is deadlines.policy's check.
    deadlines: dict[str, dict[str, MilestoneSection]] = {}
    reminders: RemindersSection = RemindersSection()
    escalation: EscalationSection = EscalationSection()
    reviews: ReviewsSection = ReviewsSection()
    sweep: SweepSection = SweepSection()
    intake: IntakeSection = IntakeSection()
    dispatch: DispatchSection
    schedules: SchedulesSection
    scorecard: ScorecardSection
    inspection: InspectionSection = InspectionSection()
    audit: AuditSection
    web: WebSection
    service: ServiceSection
    security: SecuritySection = SecuritySection()
    departments: dict[str, DepartmentSection] = {}
    standards: StandardsSection = StandardsSection()
    spotchecks: SpotchecksSection = SpotchecksSection()
    incidents: IncidentsSection = IncidentsSection()
    attachments: AttachmentsSection = AttachmentsSection()
    # The monthly review's targets per department and indicator (config/targets.py).
    targets: Targets = {}
    # The defect codes offered when a case is opened, with their meaning (config/catalogues.py).
    defect_codes: DefectCodes = {}

    @model_validator(mode="after")
    def _departments_apart(self) -> Policies:
        check_departments(self.departments)
        check_targets(self.targets, self.departments)
        return self

    @model_validator(mode="after")
    def _standards_in_departments(self) -> Policies:
        check_standards(self.standards, self.departments)
        return self

    @model_validator(mode="after")
    def _spotchecks_name_departments(self) -> Policies:
        check_spotchecks(self.spotchecks, self.departments)
        return self


# --- from a ValidationError to BadInput --------------------------------------------------------

Model = TypeVar("Model", bound=BaseModel)


def _path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("["):
            path += part
        else:
            path += f".{part}" if path else part
    return path


def _fields_at(validated: Any, loc: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys known at `loc` of the type validated (for "unknown key" messages), or ()."""
    current = validated
    for part in loc:
        args = [a for a in get_args(current) if a is not type(None)]
        if get_origin(current) is dict:
            current = args[1]
        elif get_origin(current) is tuple:
            current = args[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return ()
            current = info.annotation
        else:
            return ()
        # X | None: the model inside.
        inner = [a for a in get_args(current) if a is not type(None)]
        if get_origin(current) is not dict and get_origin(current) is not tuple and inner:
            current = inner[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return tuple(info.alias or name for name, info in current.model_fields.items())
    return ()


def refusal(
    error: ValidationError, *, model: Any, prefix: tuple[str, ...] = ()
) -> PolicyError:
    """The first error of `error` as BadInput: field = the key path, message "<path>: why"."""
    errors = error.errors(include_url=False)
    # A misspelt key also leaves the key it meant "missing": name the misspelt one.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc: tuple[str | int, ...] = tuple(first["loc"])
    at = (first.get("ctx") or {}).get("at")
    if at is not None:
        loc = (*loc, at)
    path = _path((*prefix, *loc))
    kind = first["type"]
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        reason = "unknown key" + (f" (expected {', '.join(known)})" if known else "")
    elif kind == "missing":
        reason = "missing"
    elif kind == "policy":
        reason = first["msg"]
    elif kind in ("model_type", "dict_type"):
        reason = f"expected a table, got {first['input']!r}"
    elif kind in ("tuple_type", "list_type"):
        reason = f"expected a list, got {first['input']!r}"
    else:
        reason = f"{first['msg'][:1].lower()}{first['msg'][1:]} (got {first['input']!r})"
    return PolicyError(f"{path}: {reason}", field=path)


def validate_section(name: str, model: type[Model], value: object) -> Model:
    """`[name]` of the policies as `model`; BadInput naming `name.key` if a value is bad.

    None (the section is absent) gives the model's defaults.
    """
    try:
        return model.model_validate({} if value is None else value)
    except ValidationError as error:
        raise refusal(error, model=model, prefix=(name,)) from None


def validate_policies(document: Mapping[str, Any]) -> Policies:
    """The merged policy document, checked as a whole; BadInput naming the first bad key."""
    try:
        return Policies.model_validate(document)
    except ValidationError as error:
        raise refusal(error, model=Policies) from None


def as_policies(policies: Policies | Mapping[str, Any]) -> Policies:
    """The typed policies, validating a merged document only when given one."""
    if isinstance(policies, Policies):
        return policies
    return validate_policies(policies)


def section_of(policies: Policies | Mapping[str, Any], name: str, model: type[Model]) -> Model:
    """One section of the policies, typed: taken from `Policies`, or validated alone from a
    document (a caller that holds only the merged dict, or only the section it needs)."""
    if isinstance(policies, Policies):
        found = getattr(policies, name)
        assert isinstance(found, model)
        return found
    return validate_section(name, model, policies.get(name))


_MILESTONES_TYPE = dict[str, dict[str, MilestoneSection]]
_MILESTONES: TypeAdapter[dict[str, dict[str, MilestoneSection]]] = TypeAdapter(_MILESTONES_TYPE)


def deadlines_of(
    policies: Policies | Mapping[str, Any],
) -> dict[str, dict[str, MilestoneSection]]:
    """`[deadlines]` typed: lifecycle → milestone key → milestone."""
    if isinstance(policies, Policies):
        return policies.deadlines
    try:
        return _MILESTONES.validate_python(policies.get("deadlines") or {})
    except ValidationError as error:
        raise refusal(error, model=_MILESTONES_TYPE, prefix=("deadlines",)) from None
