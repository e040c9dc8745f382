"""One shared `transitions.Machine` per lifecycle, and the wrapper a case is fired through.

Each machine is built once with `model=None`
(docs/architecture.md, "One shared machine per lifecycle"): a Machine per case costs
~150 µs and ~60 KB, and `Machine(model=<SQLModel row>)` fails because pydantic refuses the
attributes it sets on its model. A case is fired with `machine.events[trigger].trigger(...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transitions import Machine

from capaflow.models import Case
from capaflow.statemachines.audit import AUDIT
from capaflow.statemachines.cause_report import CAUSE_REPORT
from capaflow.statemachines.eightd import EIGHT_D
from capaflow.statemachines.incident import INCIDENT
from capaflow.statemachines.lifecycle import Lifecycle
from capaflow.statemachines.meeting import MEETING
from capaflow.statemachines.pdca import PDCA
from capaflow.statemachines.service import SERVICE


class BoundCase:
    """The model the shared machine fires on: it reads and writes the row's state.

    Conditions that depend on more than the row (is the effectiveness window over at `now`?)
    are computed by the engine before firing and handed in as `facts`.
    """

    def __init__(self, row: Case, facts: Mapping[str, Any] | None = None) -> None:
        self.row = row
        self.facts = dict(facts or {})

    @property
    def state(self) -> str:
        return self.row.state

    @state.setter
    def state(self, value: str) -> None:
        self.row.state = value

    # --- conditions -------------------------------------------------------------------
    @property
    def effectiveness_window_over(self) -> bool:
        return bool(self.facts.get("effectiveness_window_over", False))

    @property
    def recurrence_inside_window(self) -> bool:
        return bool(self.facts.get("recurrence_inside_window", False))

    @property
    def target_met(self) -> bool:
        cycle = self.row.content.get("cycles", {}).get(str(self.row.cycle), {})
        return cycle.get("met") is True

    # The audit's open findings: the finding rows the engine counted (facts), which a step
    # fired by hand cannot change; the count kept on the case by the audit's own steps is
    # only the fallback for a caller that hands in no facts.
    @property
    def _open_findings(self) -> int:
        counted = self.facts.get("open_findings")
        if counted is not None:
            return int(counted)
        return int(self.row.content.get("open_findings", 0))

    @property
    def findings_counted(self) -> bool:
        raised = str(self.row.content.get("findings", ""))
        return raised.isdigit() and int(raised) > 0

    @property
    def has_open_findings(self) -> bool:
        return self._open_findings > 0

    @property
    def no_open_findings(self) -> bool:
        return self._open_findings == 0

    # A service request waiting on its customer: its SLA clocks are stopped.
    @property
    def on_hold(self) -> bool:
        return self.row.content.get("on_hold") is True

    @property
    def not_on_hold(self) -> bool:
        return not self.on_hold

    @property
    def within_reopen_window(self) -> bool:
        return bool(self.facts.get("within_reopen_window", False))

    # --- after-callbacks --------------------------------------------------------------
    def count_reopen(self) -> None:
        self.row.reopen_count += 1

    def start_next_cycle(self) -> None:
        self.row.cycle += 1

    # New dicts: SQLAlchemy sees a JSON column change only when the value is replaced.
    def count_raised_findings(self) -> None:
        raised = int(self.row.content["findings"])
        self.row.content = {**self.row.content, "open_findings": self._open_findings + raised}

    def put_on_hold(self) -> None:
        self.row.content = {**self.row.content, "on_hold": True}

    def take_off_hold(self) -> None:
        self.row.content = {k: v for k, v in self.row.content.items() if k != "on_hold"}

    def count_closed_finding(self) -> None:
        self.row.content = {**self.row.content, "open_findings": self._open_findings - 1}


def build_machine(lifecycle: Lifecycle) -> Machine:
    transitions: list[dict[str, Any]] = [
        {
            "trigger": s.trigger,
            "source": s.source,
            "dest": s.dest,
            "conditions": list(s.conditions),
            "after": list(s.after),
        }
        for s in lifecycle.steps
    ]
    return Machine(
        model=None,
        states=list(lifecycle.states),
        transitions=transitions,
        initial=None,
        auto_transitions=False,
    )


MACHINES: dict[str, Machine] = {
    lc.name: build_machine(lc) for lc in (EIGHT_D, PDCA, AUDIT, CAUSE_REPORT, MEETING, SERVICE,
                                             INCIDENT)
}


def fire(row: Case, trigger: str, facts: Mapping[str, Any] | None = None) -> bool:
    """Apply `trigger` to the row's state; False when a condition of the step does not hold.

    The caller has already checked that the trigger is allowed in the current state.
    """
    return bool(MACHINES[row.lifecycle].events[trigger].trigger(BoundCase(row, facts)))
