"""The service request (docs/architecture.md, "Service desk"): one desk takes every request
in, dispatches it, the assignee responds and resolves it, and the customer is called back.

received → dispatched → in_progress → resolved → follow_up → closed, plus cancelled.

- `dispatch` (assignee) sends a received request to a person; taken again later it is a
  re-dispatch, which keeps the state (the service layer asks for a reason).
- `acknowledge` (response) is the first response to the customer; `resolve` (resolution).
- `hold` and `resume` stop and restart the SLA clocks while the desk waits on the customer;
  the state stays (self-loops guarded by whether the request is on hold).
- `escalate` (severity) raises the severity; the clocks still running tighten.
- `follow_up` is taken by the desk when the survey goes out; `close` ends the follow-up.
- `reopen` (reason): the customer says it is not solved, at follow-up or within a window
  after closure (the service layer hands in whether that window is still open).
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = (
    "received", "dispatched", "in_progress", "resolved", "follow_up", "closed", "cancelled",
)
OPEN_STATES = ("received", "dispatched", "in_progress", "resolved", "follow_up")
# The states in which the SLA clocks (first response, resolution) may still run.
WORKING_STATES = ("received", "dispatched", "in_progress")

STEPS = (
    Step("dispatch", "received", "dispatched", conditions=("not_on_hold",)),
    Step("dispatch", "dispatched", "dispatched", conditions=("not_on_hold",)),
    Step("dispatch", "in_progress", "in_progress", conditions=("not_on_hold",)),
    Step("acknowledge", "dispatched", "in_progress", conditions=("not_on_hold",)),
    *(Step("hold", s, s, conditions=("not_on_hold",), after=("put_on_hold",))
      for s in OPEN_STATES),
    *(Step("resume", s, s, conditions=("on_hold",), after=("take_off_hold",))
      for s in OPEN_STATES),
    *(Step("escalate", s, s) for s in WORKING_STATES),
    Step("resolve", "dispatched", "resolved", conditions=("not_on_hold",)),
    Step("resolve", "in_progress", "resolved", conditions=("not_on_hold",)),
    Step("follow_up", "resolved", "follow_up", conditions=("not_on_hold",)),
    Step("close", "resolved", "closed", after=("take_off_hold",)),
    Step("close", "follow_up", "closed", after=("take_off_hold",)),
    Step("reopen", "resolved", "in_progress", after=("take_off_hold",)),
    Step("reopen", "follow_up", "in_progress", after=("take_off_hold",)),
    Step("reopen", "closed", "in_progress", conditions=("within_reopen_window",)),
    *(Step("cancel", s, "cancelled", after=("take_off_hold",)) for s in OPEN_STATES),
)

FIELDS = {
    "dispatch": FieldRule(required=("assignee",), optional=("reason",)),
    "acknowledge": FieldRule(required=("response",)),
    "hold": FieldRule(required=("reason",)),
    "resume": FieldRule(optional=("reason",)),
    "escalate": FieldRule(required=("severity",), optional=("reason",)),
    "resolve": FieldRule(required=("resolution",)),
    "follow_up": FieldRule(optional=("channel",)),
    "close": FieldRule(optional=("outcome",)),
    "reopen": FieldRule(required=("reason",)),
    "cancel": FieldRule(required=("reason",)),
}

SERVICE = Lifecycle(
    name="service",
    title="Service request",
    states=STATES,
    initial="received",
    final=("closed", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    condition_messages={
        "not_on_hold": "the request is on hold: resume it first",
        "on_hold": "the request is not on hold",
        "within_reopen_window": (
            "the request closed at {closed_at}; it may be reopened until {reopen_until}"
        ),
    },
    disciplines={
        "received": "taken in, not yet dispatched",
        "dispatched": "dispatched, awaiting the first response",
        "in_progress": "being worked on",
        "resolved": "resolved, follow-up owed",
        "follow_up": "survey sent, awaiting the customer",
        "closed": "closed",
        "cancelled": "cancelled",
    },
    notify_supplier=False,
    timed_close={
        "follow_up": (
            "No answer to the follow-up survey before it expired: closed as no response.",
            {"outcome": "no_response"},
        ),
        "close_after": (
            "Resolved and not drawn for the follow-up survey: closed after the waiting period.",
            {"outcome": "not_sampled"},
        ),
    },
    opened_by=("the service desk: capa service open, /service/new or "
               "POST /api/v1/service-requests"),
    stepped_by=("the service desk: capa service advance, /service/{id} or "
                "/api/v1/service-requests/{id}/advance"),
    # Only the answers to the customer are kept on the request; the rest is in its trail.
    keeps=("response", "resolution", "outcome"),
)
