"""What every lifecycle is made of: states, steps, and the content each step needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    trigger: str
    source: str
    dest: str
    # Names of BoundCase properties that must all be true (transitions' `conditions`).
    conditions: tuple[str, ...] = ()
    # Names of BoundCase methods run after the state changed (transitions' `after`).
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldRule:
    """The content a trigger needs (`required`) and may carry (`optional`)."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    name: str
    title: str
    states: tuple[str, ...]
    initial: str
    final: tuple[str, ...]
    steps: tuple[Step, ...]
    fields: Mapping[str, FieldRule]
    # Fields whose value must be one of a fixed set, e.g. category → the 5M1E factors.
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Why a condition failed, in the quality lead's words; formatted with the BoundCase.
    condition_messages: Mapping[str, str] = field(default_factory=dict)
    # The 8D discipline (D3, D4, ...) or PDCA phase each state stands for.
    disciplines: Mapping[str, str] = field(default_factory=dict)
    # Whether the notices of its steps and the sweep's reminders and escalations of its
    # deadlines also go to the supplier's people (the roles of [reminders] and [escalation]
    # that name them). False for work that is ours alone (a meeting we organise): the owner,
    # the quality lead and the manager are told, and the supplier is not chased for it.
    notify_supplier: bool = True
    # The step fields kept on the case's content (None: all of them); the rest stay in the
    # audit trail only.
    keeps: tuple[str, ...] | None = None
    # What the sweep's `close` says when a window deadline of this lifecycle ends, by the
    # deadline's key: the note of the step and its fields.
    timed_close: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    # Set when the steps of this lifecycle belong to a service that does more than the engine
    # (the service desk stops and restarts SLA clocks with hold and resume): the command to
    # use instead, named when a generic `capa case advance` is refused.
    stepped_by: str | None = None
    # Likewise where a case of it is opened (never by the generic `capa case open`).
    opened_by: str | None = None

    @property
    def triggers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for step in self.steps:
            seen.setdefault(step.trigger, None)
        return tuple(seen)

    def allowed(self, state: str) -> tuple[str, ...]:
        return tuple(t for t in self.triggers if any(
            s.trigger == t and s.source == state for s in self.steps))

    def dest(self, trigger: str, state: str) -> str | None:
        for step in self.steps:
            if step.trigger == trigger and step.source == state:
                return step.dest
        return None


def mermaid(lifecycle: Lifecycle) -> str:
    """The lifecycle as a Mermaid state diagram (`capa lifecycle show --mermaid`)."""
    lines = ["stateDiagram-v2", f"    [*] --> {lifecycle.initial}"]
    for step in lifecycle.steps:
        label = step.trigger
        if step.conditions:
            label += f" [{' and '.join(step.conditions)}]"
        lines.append(f"    {step.source} --> {step.dest}: {label}")
    for final in lifecycle.final:
        lines.append(f"    {final} --> [*]")
    return "\n".join(lines) + "\n"
