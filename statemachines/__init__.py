"""The lifecycles (8D, PDCA, audit, cause report, meeting, service request) as data, their
machines and engine."""

from capaflow.statemachines.audit import AUDIT
from capaflow.statemachines.cause_report import CAUSE_REPORT
from capaflow.statemachines.eightd import EIGHT_D
from capaflow.statemachines.incident import INCIDENT
from capaflow.statemachines.lifecycle import Lifecycle
from capaflow.statemachines.meeting import MEETING
from capaflow.statemachines.pdca import PDCA
from capaflow.statemachines.service import SERVICE

LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc for lc in (EIGHT_D, PDCA, AUDIT, CAUSE_REPORT, MEETING, SERVICE, INCIDENT)
}

__all__ = [
    "AUDIT", "CAUSE_REPORT", "EIGHT_D", "LIFECYCLES", "MEETING", "PDCA", "SERVICE", "Lifecycle",
    "INCIDENT",
]
