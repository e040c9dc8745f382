"""What the review reads from the policies, resolved once: the calendar's zone (a month is
cut on its wall clock), the departments, the targets, and who owns and opens the PDCA cycles
(the service desk's corrective-action owner and actor, `[service.feedback]`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from capaflow.config.departments import DepartmentSection
from capaflow.config.policies import Policies
from capaflow.config.targets import Targets


@dataclass(frozen=True)
class ReviewPolicy:
    zone: ZoneInfo
    departments: Mapping[str, DepartmentSection]
    targets: Targets
    owner: str
    actor: str


def review_policy(policies: Policies) -> ReviewPolicy:
    feedback = policies.service.feedback
    return ReviewPolicy(zone=policies.calendar.business_calendar().zone,
                        departments=policies.departments, targets=policies.targets,
                        owner=feedback.owner, actor=policies.service.actor)
