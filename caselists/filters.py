"""The case list's filters as a quality lead sets them: read from query parameters (the
page's, the API's, the CLI's options), checked, and written back as a query string, so a list
is a bookmark and a saved view is that bookmark under a name.

Every refusal names the parameter it concerns (BadInput, exit 2, HTTP 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from capaflow.deadlines.policy import SEVERITIES
from capaflow.errors import BadInput
from capaflow.statemachines import LIFECYCLES

# What a list can be sorted by; "-opened" is newest first, "number" the case number.
SORTS = ("opened", "due", "state", "supplier", "severity", "number")
DEFAULT_SORT = "-opened"
# The command's and the API's list keeps its contract's order and scope: every case, by
# number, unless filtered (the page shows open cases, newest first).
# Open cases only unless asked: closed and cancelled ones are history.
STATUSES = ("open", "closed", "all")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100_000
MAX_TEXT = 100
MAX_DUE_DAYS = 366
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

# The parameters, in the order a query string writes them.
PARAMETERS = (
    "q", "lifecycle", "state", "status", "supplier", "owner", "severity", "part", "defect",
    "opened_from", "opened_to", "overdue", "due_days", "reopened", "mine", "sort", "page",
)


@dataclass(frozen=True)
class CaseFilter:
    text: str | None = None  # q: title, problem description, part, defect code, case number
    lifecycle: str | None = None
    state: str | None = None  # the lifecycle's own state name (root_cause)
    status: str = "open"
    supplier: str | None = None  # supplier code
    owner: str | None = None
    severity: str | None = None
    part: str | None = None
    defect: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None  # inclusive
    overdue: bool = False  # something owed is late
    due_days: int | None = None  # the next thing owed falls due within this many days
    reopened: bool = False
    mine: bool = False  # owned by the person asking
    sort: str = DEFAULT_SORT
    page: int = 1

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def with_(self, **changes: object) -> CaseFilter:
        return replace(self, **changes)  # type: ignore[arg-type]

    def query_string(self, *, page: bool = True) -> str:
        """The filters as /cases' query string: only what differs from the defaults."""
        return urlencode([(k, v) for k, v in self.parameters(page=page).items()])

    def parameters(self, *, page: bool = True) -> dict[str, str]:
        written = {
            "q": self.text, "lifecycle": self.lifecycle, "state": self.state,
            "status": self.status, "supplier": self.supplier, "owner": self.owner,
            "severity": self.severity, "part": self.part, "defect": self.defect,
            "opened_from": _iso(self.opened_from), "opened_to": _iso(self.opened_to),
            "overdue": _yes(self.overdue), "due_days": _str(self.due_days),
            "reopened": _yes(self.reopened), "mine": _yes(self.mine), "sort": self.sort,
            "page": str(self.page) if page else None,
        }
        return {name: value for name in PARAMETERS
                if (value := written[name]) is not None and value != _DEFAULTS.get(name)}


_DEFAULTS = {"status": "open", "sort": DEFAULT_SORT, "page": "1"}
# The command's and the API's list keep their contract's scope and order: every case, by
# number, unless filtered (the page shows open cases, newest first).
CONTRACT_LIST = CaseFilter(status="all", sort="number")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _yes(flag: bool) -> str | None:
    return "1" if flag else None


def _str(number: int | None) -> str | None:
    return str(number) if number is not None else None


def state_words(lifecycle: str | None, state: str) -> str:
    """A state as people read it: the 8D discipline ("D4 root cause"), else plain words."""
    for name, machine in LIFECYCLES.items():
        if lifecycle in (None, name) and state in machine.disciplines:
            return machine.disciplines[state]
    return state.replace("_", " ")


def state_choices() -> list[tuple[str, str]]:
    """Each state once, as (name, words), in lifecycle order: the page's state menu."""
    seen: dict[str, str] = {}
    for machine in LIFECYCLES.values():
        for state in machine.states:
            seen.setdefault(state, state_words(machine.name, state))
    return list(seen.items())


def _state(value: str) -> str:
    wanted = " ".join(value.replace("_", " ").lower().split())
    for state, words in state_choices():
        if wanted in (state.replace("_", " "), words.lower()):
            return state
    raise BadInput(f"state: '{value}' is not a state (for example "
                   f"{', '.join(words for _, words in state_choices()[:4])})", field="state")


def _text(name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_TEXT:
        raise BadInput(f"{name}: at most {MAX_TEXT} characters", field=name)
    if any(ord(c) < 32 for c in value):
        raise BadInput(f"{name}: control characters are not allowed", field=name)
    return value


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadInput(f"{name}: '{value}' is not yes or no (1 or 0)", field=name)


def _date(name: str, value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{name}: '{value}' is not a date (YYYY-MM-DD)", field=name) from None


def _number(name: str, value: str, low: int, high: int) -> int | None:
    if not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError:
        raise BadInput(f"{name}: '{value}' is not a whole number", field=name) from None
    if not low <= number <= high:
        raise BadInput(f"{name}: must be between {low} and {high}", field=name)
    return number


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    chosen = value.strip().lower()
    if chosen.lstrip("-" if name == "sort" else "") not in allowed:
        extra = " (a leading - sorts descending)" if name == "sort" else ""
        raise BadInput(f"{name}: '{value}' is not one of {', '.join(allowed)}{extra}",
                       field=name)
    return chosen


_CHOICES = {
    "lifecycle": tuple(LIFECYCLES), "status": STATUSES, "severity": tuple(SEVERITIES),
    "sort": SORTS,
}


def parse_filter(params: Mapping[str, str], *, base: CaseFilter | None = None) -> CaseFilter:
    """The filters from query parameters over `base` (the page's defaults unless given);
    unknown parameters are ignored (a bookmark may carry more), an empty one means "any", a
    bad value is refused naming its parameter."""
    given = {name: value for name, value in params.items() if value.strip()}
    changes: dict[str, object] = {}
    for name in ("q", "owner", "part", "defect", "supplier"):
        if name in params:
            changes["text" if name == "q" else name] = _text(name, params[name])
    for name, allowed in _CHOICES.items():
        if name in given:
            changes[name] = _choice(name, given[name], allowed)
    if "state" in given:
        changes["state"] = _state(given["state"])
    for name in ("opened_from", "opened_to"):
        changes[name] = _date(name, params.get(name, ""))
    opened_from, opened_to = changes["opened_from"], changes["opened_to"]
    if isinstance(opened_from, date) and isinstance(opened_to, date) and opened_to < opened_from:
        raise BadInput("opened_to: is before opened_from", field="opened_to")
    for name in ("overdue", "reopened", "mine"):
        changes[name] = _flag(name, params.get(name, ""))
    changes["due_days"] = _number("due_days", params.get("due_days", ""), 1, MAX_DUE_DAYS)
    changes["page"] = _number("page", params.get("page", ""), 1, 1_000_000) or 1
    return (base or CaseFilter()).with_(**changes)
