"""The intake: defects in, matched to their 8D case by supplier, part and defect code.

`record_defect` counts a defect on the open case, reopens a case whose countermeasure it
proves ineffective, or opens a new case; `import_defects` does that for each row of a CSV
file; `open_hold` tells incoming inspection whether a supplier's part is on 100 % inspection.
"""

from capaflow.csvfiles import Rejection
from capaflow.intake.csvimport import COLUMNS, ImportedRow, ImportReport, import_defects
from capaflow.intake.holds import HoldChange, open_hold
from capaflow.intake.policy import IntakePolicy, load_intake_policy
from capaflow.intake.recurrence import OUTCOMES, SOURCES, IntakeResult, record_defect

__all__ = [
    "COLUMNS",
    "OUTCOMES",
    "SOURCES",
    "HoldChange",
    "ImportReport",
    "ImportedRow",
    "IntakePolicy",
    "IntakeResult",
    "Rejection",
    "import_defects",
    "load_intake_policy",
    "open_hold",
    "record_defect",
]
