"""ISO 2859-1:1999 clause 9 switching, as a pure function of one part's standing and one lot.

Nothing here reads the database or the clock, so every rule can be tested lot by lot. The
rules, with the clause each comes from:

- 9.2   inspection starts at normal.
- 9.3.1 normal → tightened as soon as 2 out of 5 or fewer consecutive lots are not accepted on
        original inspection. Checked after every lot over the newest 5 lots on normal: the
        first time two rejections fall within 5 consecutive lots, both are in that window.
- 9.3.2 tightened → normal when 5 consecutive lots are accepted on original inspection.
- 9.3.3 normal → reduced on the switching score, which starts at 0 at the start of normal
        inspection and after each lot on normal (single sampling) becomes:
        Ac ≥ 2: +3 if the lot would have been accepted with the AQL one step tighter, else 0;
        Ac 0 or 1: +2 if the lot was accepted, else 0.
        Reduced when all of: the score is at least 30 (9.3.3.2 a), production is at a steady
        rate (b), and the responsible authority considers reduced inspection desirable (c,
        the `[inspection] reduced_approved` flag).
- 9.3.4 reduced → normal when a lot is not accepted (a), or production becomes irregular or
        delayed (b), or other conditions warrant it (c). (a) and (b) are applied to each lot
        here; (c) is the responsible authority's call, made here by withdrawing
        `reduced_approved` (a reduced part is then back on normal from its next lot).
- 9.4   discontinue ("stopped") when the cumulative number of lots not accepted in a sequence
        of consecutive lots on tightened inspection reaches 5. No lot is accepted until the
        supplier has acted and the responsible authority resumes inspection, which then
        restarts at tightened "as if 9.3.1 had been invoked" (`resume`).

On top of the standard (docs/architecture.md, "Quality rules"): a supplier rated not cooperative
is inspected tightened at the least (and sampled wider: InspectionPolicy.level_for). Its part is
lifted to tightened when a lot arrives, and tightened → normal waits until the rating is lifted;
the 9.4 stop applies to those tightened lots as to any other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

NORMAL, TIGHTENED, REDUCED, STOPPED = "normal", "tightened", "reduced", "stopped"
SEVERITIES = (NORMAL, TIGHTENED, REDUCED, STOPPED)

# The standard's numbers (ISO 2859-1:1999 clause 9). They are fixed: a site that changed them
# would no longer be inspecting to the standard. Only the score limit is a setting (see
# SwitchRules), because 9.3.3 says "unless otherwise determined by the responsible authority".
NORMAL_WINDOW = 5  # 9.3.1: "2 out of 5 or fewer consecutive lots"
REJECTIONS_TO_TIGHTENED = 2
ACCEPTED_TO_NORMAL = 5  # 9.3.2
REJECTIONS_TO_STOP = 5  # 9.4
SCORE_TO_REDUCED = 30  # 9.3.3.2 a)
SCORE_STEP_AC2 = 3  # 9.3.3.1 a) 1)
SCORE_STEP_AC0 = 2  # 9.3.3.1 a) 2)


@dataclass(frozen=True)
class Standing:
    """Where one supplier's part stands: the severity and the counts the rules run on."""

    severity: str = NORMAL
    # Lots judged on normal inspection since the last switch to normal, newest last, at most
    # NORMAL_WINDOW: True accepted. Only lots on normal count: 9.3.1 applies "when normal
    # inspection is in effect", and a switch to normal starts the count afresh.
    recent: tuple[bool, ...] = ()
    # On tightened: the run of accepted lots (9.3.2).
    consecutive_accepted: int = 0
    # On normal: the switching score (9.3.3.1).
    switching_score: int = 0
    # On tightened: lots not accepted since tightened began (9.4), not reset by accepted lots.
    rejected_on_tightened: int = 0

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")


@dataclass(frozen=True)
class LotOutcome:
    """One lot on original inspection, as the switching rules need to know it."""

    accepted: bool
    # The acceptance number of the plan the lot was judged under (9.3.3.1 picks the rule).
    acceptance_number: int
    # Ac ≥ 2 only: would the same sample have been accepted with the AQL one step tighter?
    accepted_one_step_tighter: bool = False
    # 9.3.3.2 b) / 9.3.4 b): taken as steady unless the lot is flagged otherwise.
    steady_production: bool = True


@dataclass(frozen=True)
class SwitchRules:
    # 9.3.3.2 c): reduced inspection only when the responsible authority approves it.
    reduced_approved: bool = False
    # 9.3.3.2 a); the standard's 30 unless the responsible authority determines otherwise.
    score_to_reduced: int = SCORE_TO_REDUCED


@dataclass(frozen=True)
class Switch:
    """A change of severity and the rule that made it."""

    from_severity: str
    to_severity: str
    reason: str


@dataclass(frozen=True)
class Step:
    """What one lot did: the standing after it and the switches on the way (0, 1 or 2)."""

    before: Standing
    after: Standing
    # The severity the lot was judged under.
    judged_under: str
    switches: tuple[Switch, ...]


def _enter(severity: str) -> Standing:
    """A fresh standing at `severity`: every count starts over at a switch.

    9.3.3.1: the score is set to zero at the start of normal inspection; 9.4: the rejections
    counted are those "in a sequence of consecutive lots on tightened inspection", i.e. since
    tightened began; 9.3.1/9.3.2 count consecutive lots under the severity in force.
    """
    return Standing(severity=severity)


def effective_severity(
    standing: Standing, *, not_cooperative: bool, rules: SwitchRules
) -> tuple[str, str | None]:
    """The severity the next lot is inspected under, and why it differs from the stored one.

    Stopped stays stopped (9.4: nothing is accepted until the supplier acts). A not
    cooperative supplier is never inspected normal or reduced
    (docs/architecture.md, "Quality rules"). A reduced part
    whose approval was withdrawn goes back to normal (9.3.4 c).
    """
    severity = standing.severity
    if severity == STOPPED:
        return STOPPED, None
    if not_cooperative and severity in (NORMAL, REDUCED):
        return TIGHTENED, "the supplier is rated not cooperative: tightened at the least"
    if severity == REDUCED and not rules.reduced_approved:
        return NORMAL, (
            "reduced inspection is no longer approved by the responsible authority "
            "(ISO 2859-1 9.3.4 c)"
        )
    return severity, None


def apply_lot(
    standing: Standing,
    outcome: LotOutcome,
    *,
    rules: SwitchRules,
    not_cooperative: bool = False,
) -> Step:
    """The standing after one more lot on original inspection.

    ValueError for a stopped part: 9.4 forbids accepting lots until inspection is resumed,
    so a caller must refuse the lot before it gets here.
    """
    if standing.severity == STOPPED:
        raise ValueError("inspection of this part is discontinued (ISO 2859-1 9.4)")
    switches: list[Switch] = []
    current = standing
    severity, why = effective_severity(standing, not_cooperative=not_cooperative, rules=rules)
    if why is not None:
        switches.append(Switch(standing.severity, severity, why))
        current = _enter(severity)

    if severity == NORMAL:
        after, switch = _on_normal(current, outcome, rules)
    elif severity == TIGHTENED:
        after, switch = _on_tightened(current, outcome, not_cooperative=not_cooperative)
    else:
        after, switch = _on_reduced(current, outcome)
    if switch is not None:
        switches.append(switch)
    return Step(before=standing, after=after, judged_under=severity, switches=tuple(switches))


def _on_normal(
    current: Standing, outcome: LotOutcome, rules: SwitchRules
) -> tuple[Standing, Switch | None]:
    recent = (*current.recent, outcome.accepted)[-NORMAL_WINDOW:]
    rejected = recent.count(False)
    if rejected >= REJECTIONS_TO_TIGHTENED:
        # 9.3.1 "as soon as": this lot is the second rejection within 5 consecutive lots.
        return _enter(TIGHTENED), Switch(
            NORMAL, TIGHTENED,
            f"{rejected} of the last {len(recent)} lots on normal inspection not accepted "
            "(ISO 2859-1 9.3.1)",
        )
    # 9.3.3.1 a): which rule depends on the acceptance number of the plan in use.
    if outcome.acceptance_number >= 2:
        score = (
            current.switching_score + SCORE_STEP_AC2 if outcome.accepted_one_step_tighter else 0
        )
    else:
        score = current.switching_score + SCORE_STEP_AC0 if outcome.accepted else 0
    after = replace(current, recent=recent, switching_score=score)
    # 9.3.3.2: all three conditions; the score alone is not enough.
    if (
        score >= rules.score_to_reduced
        and outcome.steady_production
        and rules.reduced_approved
    ):
        return _enter(REDUCED), Switch(
            NORMAL, REDUCED,
            f"switching score {score} reached {rules.score_to_reduced}, production steady, "
            "reduced inspection approved (ISO 2859-1 9.3.3.2)",
        )
    return after, None


def _on_tightened(
    current: Standing, outcome: LotOutcome, *, not_cooperative: bool
) -> tuple[Standing, Switch | None]:
    if not outcome.accepted:
        rejected = current.rejected_on_tightened + 1
        if rejected >= REJECTIONS_TO_STOP:
            return _enter(STOPPED), Switch(
                TIGHTENED, STOPPED,
                f"{rejected} lots not accepted on tightened inspection: inspection "
                "discontinued until the supplier acts (ISO 2859-1 9.4)",
            )
        return replace(current, consecutive_accepted=0, rejected_on_tightened=rejected), None
    run = current.consecutive_accepted + 1
    after = replace(current, consecutive_accepted=run)
    if run >= ACCEPTED_TO_NORMAL and not not_cooperative:
        # `>=`: a run that reached 5 while the supplier was rated not cooperative switches
        # with the first accepted lot after the rating is lifted.
        return _enter(NORMAL), Switch(
            TIGHTENED, NORMAL,
            f"{run} consecutive lots accepted on tightened inspection (ISO 2859-1 9.3.2)",
        )
    return after, None


def _on_reduced(current: Standing, outcome: LotOutcome) -> tuple[Standing, Switch | None]:
    if not outcome.accepted:
        return _enter(NORMAL), Switch(
            REDUCED, NORMAL, "a lot was not accepted on reduced inspection (ISO 2859-1 9.3.4 a)"
        )
    if not outcome.steady_production:
        return _enter(NORMAL), Switch(
            REDUCED, NORMAL, "production irregular or delayed (ISO 2859-1 9.3.4 b)"
        )
    return current, None


def resume(standing: Standing) -> Standing:
    """After the supplier's action: tightened "as if 9.3.1 had been invoked" (ISO 2859-1 9.4)."""
    if standing.severity != STOPPED:
        raise ValueError("only a discontinued part is resumed")
    return _enter(TIGHTENED)


def standing_words(standing: Standing, inspected_as: str) -> str:
    """Where the part stands, in the quality lead's words, for the severity its next lot is
    inspected under (`effective_severity`), so that a row never says "normal" beside a
    not-cooperative supplier's "tightened at the least". The counts are the rules' own: the
    lots counted on normal since it began (at most the last 5; not the last lots received:
    100 % lots accepted do not count), the run on tightened."""
    if inspected_as == STOPPED:
        return "discontinued (ISO 2859-1 9.4): resumed once the supplier has acted"
    if inspected_as == TIGHTENED and standing.severity != TIGHTENED:
        # The next lot enters tightened afresh (apply_lot): nothing counted on it yet.
        return (f"0 of {ACCEPTED_TO_NORMAL} accepted in a row to return to normal, once the "
                "supplier is no longer rated not cooperative")
    if inspected_as == TIGHTENED:
        return (f"{standing.consecutive_accepted} of {ACCEPTED_TO_NORMAL} accepted in a row "
                f"to return to normal; {standing.rejected_on_tightened} of "
                f"{REJECTIONS_TO_STOP} not accepted to discontinue")
    if inspected_as == REDUCED:
        return "earned by the switching score; a lot not accepted restores normal"
    if standing.severity != NORMAL:
        return "back on normal: nothing counted yet"
    rejected = standing.recent.count(False)
    return (f"{rejected} not accepted of the last {len(standing.recent)} lot(s) counted on "
            f"normal since it began ({REJECTIONS_TO_TIGHTENED} in {NORMAL_WINDOW} switch to "
            f"tightened); switching score {standing.switching_score}")
