"""The lifecycles (8D, PDCA, audit) as data, their shared machines, guards and the engine."""

from statemachines.audit import AUDIT
from statemachines.eightd import EIGHT_D
from statemachines.lifecycle import Lifecycle
from statemachines.pdca import PDCA

LIFECYCLES: dict[str, Lifecycle] = {EIGHT_D.name: EIGHT_D, PDCA.name: PDCA, AUDIT.name: AUDIT}

__all__ = ["AUDIT", "EIGHT_D", "LIFECYCLES", "PDCA", "Lifecycle"]
