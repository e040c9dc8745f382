"""The `[intake]` policy in force: what the intake does with a defect it cannot match.

The policy is the typed `[intake]` section of config/default.toml (config.policies): a bad
value in a site's override file is refused with its key path (`intake.inspection_lots`)
before the intake reads or writes anything, like the deadline policies.
"""

from __future__ import annotations

from typing import Any

from capaflow.config.policies import IntakeSection, validate_section

# open_new_case: a defect matching no open case, or only a case closed as effective, opens a
# new 8D case (off: it is only recorded); inspection_lots: how many of the supplier's next lots
# of the part are inspected 100 %. A policy built in code is checked as the TOML is.
IntakePolicy = IntakeSection


def load_intake_policy(section: Any) -> IntakePolicy:
    """`policies["intake"]` (the merged `[intake]` table) as an IntakePolicy; BadInput if bad."""
    return validate_section("intake", IntakePolicy, section)
