"""The lifecycles (8D, PDCA, audit, cause report, meeting, service request, inspection round,
finding, work item, spot-check, incident) as data, their machines and engine."""

from capaflow.statemachines.audit import AUDIT
from capaflow.statemachines.cause_report import CAUSE_REPORT
from capaflow.statemachines.eightd import EIGHT_D
from capaflow.statemachines.incident import INCIDENT
from capaflow.statemachines.inspection_round import FINDING, ROUND
from capaflow.statemachines.lifecycle import Lifecycle
from capaflow.statemachines.meeting import MEETING
from capaflow.statemachines.pdca import PDCA
from capaflow.statemachines.service import SERVICE
from capaflow.statemachines.spotcheck import SPOTCHECK
from capaflow.statemachines.workitem import WORK_ITEM

LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc for lc in (EIGHT_D, PDCA, AUDIT, CAUSE_REPORT, MEETING, SERVICE, ROUND, FINDING,
                          WORK_ITEM, SPOTCHECK, INCIDENT)
}

__all__ = [
    "AUDIT", "CAUSE_REPORT", "EIGHT_D", "LIFECYCLES", "MEETING", "PDCA", "SERVICE", "Lifecycle",
    "FINDING", "INCIDENT", "ROUND", "SPOTCHECK", "WORK_ITEM",
]
