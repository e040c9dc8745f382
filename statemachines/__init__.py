"""The lifecycles (8D, PDCA, audit, cause report) as data, their machines and the engine."""

from statemachines.audit import AUDIT
from statemachines.cause_report import CAUSE_REPORT
from statemachines.eightd import EIGHT_D
from statemachines.lifecycle import Lifecycle
from statemachines.pdca import PDCA

LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc for lc in (EIGHT_D, PDCA, AUDIT, CAUSE_REPORT)
}

__all__ = ["AUDIT", "CAUSE_REPORT", "EIGHT_D", "LIFECYCLES", "PDCA", "Lifecycle"]
