"""The lifecycles (8D, PDCA) as data, their shared machines, guards and the engine."""

from statemachines.eightd import EIGHT_D
from statemachines.lifecycle import Lifecycle
from statemachines.pdca import PDCA

LIFECYCLES: dict[str, Lifecycle] = {EIGHT_D.name: EIGHT_D, PDCA.name: PDCA}

__all__ = ["EIGHT_D", "LIFECYCLES", "PDCA", "Lifecycle"]
