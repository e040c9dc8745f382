"""ISO 2859-1:1999 clause 9 switching, lot by lot, on the pure function (no database)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from capaflow.inspection.switching import (
    NORMAL,
    REDUCED,
    STOPPED,
    TIGHTENED,
    LotOutcome,
    Standing,
    SwitchRules,
    apply_lot,
    effective_severity,
    resume,
)

APPROVED = SwitchRules(reduced_approved=True)
NOT_APPROVED = SwitchRules(reduced_approved=False)

ACCEPT = LotOutcome(accepted=True, acceptance_number=1)
REJECT = LotOutcome(accepted=False, acceptance_number=1)


def run(
    lots: Iterable[LotOutcome],
    start: Standing | None = None,
    *,
    rules: SwitchRules = NOT_APPROVED,
    not_cooperative: bool = False,
) -> Standing:
    standing = start or Standing()
    for lot in lots:
        standing = apply_lot(standing, lot, rules=rules, not_cooperative=not_cooperative).after
    return standing


def tightened() -> Standing:
    return run([REJECT, REJECT])


# --- 9.3.1 normal → tightened ----------------------------------------------------------------


def test_two_rejections_in_a_row_switch_normal_to_tightened() -> None:
    step = apply_lot(run([REJECT]), REJECT, rules=NOT_APPROVED)
    assert step.after.severity == TIGHTENED
    assert [(s.from_severity, s.to_severity) for s in step.switches] == [(NORMAL, TIGHTENED)]
    assert "9.3.1" in step.switches[0].reason


def test_two_rejections_five_lots_apart_switch_to_tightened() -> None:
    # Rejected, 3 accepted, rejected: 2 of 5 consecutive lots.
    assert run([REJECT, ACCEPT, ACCEPT, ACCEPT, REJECT]).severity == TIGHTENED


def test_two_rejections_six_lots_apart_stay_normal() -> None:
    # Rejected, 4 accepted, rejected: the two span 6 lots, never 2 within 5.
    standing = run([REJECT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, REJECT])
    assert standing.severity == NORMAL
    assert standing.recent == (True, True, True, True, False)


def test_one_rejection_stays_normal() -> None:
    assert run([ACCEPT, REJECT, ACCEPT, ACCEPT]).severity == NORMAL


def test_switch_to_tightened_starts_the_tightened_counts_afresh() -> None:
    standing = tightened()
    assert (standing.consecutive_accepted, standing.rejected_on_tightened) == (0, 0)
    assert standing.recent == () and standing.switching_score == 0


# --- 9.3.2 tightened → normal ----------------------------------------------------------------


def test_five_consecutive_accepted_on_tightened_switch_back_to_normal() -> None:
    four = run([ACCEPT] * 4, tightened())
    assert (four.severity, four.consecutive_accepted) == (TIGHTENED, 4)
    step = apply_lot(four, ACCEPT, rules=NOT_APPROVED)
    assert step.after == Standing(severity=NORMAL)
    assert "9.3.2" in step.switches[0].reason


def test_a_rejection_on_tightened_restarts_the_run_of_five() -> None:
    standing = run([ACCEPT] * 4 + [REJECT] + [ACCEPT] * 4, tightened())
    assert (standing.severity, standing.consecutive_accepted) == (TIGHTENED, 4)
    assert run([ACCEPT], standing).severity == NORMAL


def test_back_on_normal_the_window_starts_empty() -> None:
    # The rejections that caused tightened do not count again: one more rejection on normal
    # is 1 of 1, not 3 of 5.
    back = run([ACCEPT] * 5, tightened())
    assert run([REJECT], back).severity == NORMAL


# --- 9.4 discontinuation ---------------------------------------------------------------------


def test_five_rejections_on_tightened_discontinue_inspection() -> None:
    four = run([REJECT, ACCEPT, REJECT, REJECT, ACCEPT, ACCEPT, REJECT], tightened())
    assert (four.severity, four.rejected_on_tightened) == (TIGHTENED, 4)
    step = apply_lot(four, REJECT, rules=NOT_APPROVED)
    assert step.after.severity == STOPPED
    assert "9.4" in step.switches[0].reason


def test_rejections_on_tightened_count_cumulatively_not_consecutively() -> None:
    # Accepted lots in between do not reset the 9.4 count (only a switch back to normal does).
    lots = [REJECT, ACCEPT, ACCEPT, REJECT, ACCEPT, REJECT, ACCEPT, ACCEPT, ACCEPT, ACCEPT]
    four = run(lots + [REJECT], tightened())
    assert (four.severity, four.rejected_on_tightened) == (TIGHTENED, 4)
    assert run(lots + [REJECT, ACCEPT, REJECT], tightened()).severity == STOPPED


def test_returning_to_normal_resets_the_rejections_counted_on_tightened() -> None:
    standing = run([REJECT] * 4 + [ACCEPT] * 5, tightened())  # 4 rejected, then back to normal
    again = run([REJECT, REJECT], standing)  # tightened afresh
    assert again.severity == TIGHTENED and again.rejected_on_tightened == 0
    assert run([REJECT], again).rejected_on_tightened == 1


def test_a_stopped_part_takes_no_lot() -> None:
    with pytest.raises(ValueError, match="9.4"):
        apply_lot(Standing(severity=STOPPED), ACCEPT, rules=NOT_APPROVED)


def test_resuming_a_stopped_part_restarts_at_tightened() -> None:
    assert resume(Standing(severity=STOPPED, rejected_on_tightened=5)) == Standing(TIGHTENED)
    with pytest.raises(ValueError):
        resume(Standing(severity=TIGHTENED))


# --- 9.3.3 switching score and normal → reduced ----------------------------------------------


def test_score_adds_two_per_accepted_lot_when_ac_is_0_or_1() -> None:
    assert run([ACCEPT] * 3).switching_score == 6
    assert run([LotOutcome(accepted=True, acceptance_number=0)] * 2).switching_score == 4


def test_score_resets_to_zero_on_a_rejected_lot_when_ac_is_0_or_1() -> None:
    assert run([ACCEPT] * 5 + [REJECT]).switching_score == 0


def test_score_adds_three_when_ac_2_or_more_and_accepted_at_one_step_tighter_aql() -> None:
    tight_ok = LotOutcome(accepted=True, acceptance_number=3, accepted_one_step_tighter=True)
    assert run([tight_ok] * 4).switching_score == 12


def test_score_resets_when_ac_2_or_more_and_accepted_only_at_the_aql_itself() -> None:
    tight_ok = LotOutcome(accepted=True, acceptance_number=3, accepted_one_step_tighter=True)
    only_at_aql = LotOutcome(accepted=True, acceptance_number=3, accepted_one_step_tighter=False)
    standing = run([tight_ok] * 4 + [only_at_aql])
    assert (standing.severity, standing.switching_score) == (NORMAL, 0)


def test_score_reaching_30_with_approval_switches_normal_to_reduced() -> None:
    fourteen = run([ACCEPT] * 14, rules=APPROVED)
    assert (fourteen.severity, fourteen.switching_score) == (NORMAL, 28)
    step = apply_lot(fourteen, ACCEPT, rules=APPROVED)
    assert step.after == Standing(severity=REDUCED)
    assert "9.3.3.2" in step.switches[0].reason


def test_score_of_30_without_approval_stays_normal() -> None:
    standing = run([ACCEPT] * 20, rules=NOT_APPROVED)
    assert (standing.severity, standing.switching_score) == (NORMAL, 40)
    # Approval given later: the next accepted lot switches.
    assert run([ACCEPT], standing, rules=APPROVED).severity == REDUCED


def test_score_of_30_on_irregular_production_stays_normal() -> None:
    irregular = LotOutcome(accepted=True, acceptance_number=1, steady_production=False)
    fourteen = run([ACCEPT] * 14, rules=APPROVED)
    assert run([irregular], fourteen, rules=APPROVED).severity == NORMAL


def test_score_limit_is_the_responsible_authoritys_setting() -> None:
    rules = SwitchRules(reduced_approved=True, score_to_reduced=10)
    assert run([ACCEPT] * 4, rules=rules).severity == NORMAL
    assert run([ACCEPT] * 5, rules=rules).severity == REDUCED


def test_ac_3_lots_accepted_at_tighter_aql_reach_reduced_after_ten() -> None:
    tight_ok = LotOutcome(accepted=True, acceptance_number=3, accepted_one_step_tighter=True)
    assert run([tight_ok] * 9, rules=APPROVED).severity == NORMAL
    assert run([tight_ok] * 10, rules=APPROVED).severity == REDUCED


# --- 9.3.4 reduced → normal ------------------------------------------------------------------


def reduced() -> Standing:
    return Standing(severity=REDUCED)


def test_a_rejected_lot_on_reduced_switches_back_to_normal() -> None:
    step = apply_lot(reduced(), REJECT, rules=APPROVED)
    assert step.after == Standing(severity=NORMAL)
    assert "9.3.4 a" in step.switches[0].reason


def test_accepted_lots_on_reduced_stay_reduced() -> None:
    assert run([ACCEPT] * 10, reduced(), rules=APPROVED).severity == REDUCED


def test_irregular_production_on_reduced_switches_back_to_normal() -> None:
    irregular = LotOutcome(accepted=True, acceptance_number=1, steady_production=False)
    step = apply_lot(reduced(), irregular, rules=APPROVED)
    assert step.after.severity == NORMAL and "9.3.4 b" in step.switches[0].reason


def test_withdrawn_approval_puts_a_reduced_part_back_on_normal_for_its_next_lot() -> None:
    assert effective_severity(reduced(), not_cooperative=False, rules=NOT_APPROVED)[0] == NORMAL
    step = apply_lot(reduced(), ACCEPT, rules=NOT_APPROVED)
    assert step.judged_under == NORMAL
    assert step.after.severity == NORMAL and step.after.switching_score == 2


def test_after_reduced_the_score_starts_again_from_zero() -> None:
    back = run([REJECT], reduced(), rules=APPROVED)
    assert back.switching_score == 0
    assert run([ACCEPT] * 14, back, rules=APPROVED).severity == NORMAL
    assert run([ACCEPT] * 15, back, rules=APPROVED).severity == REDUCED


# --- not cooperative: tightened at the least -------------------------------------------------


def test_not_cooperative_supplier_is_inspected_tightened_instead_of_normal() -> None:
    step = apply_lot(Standing(), ACCEPT, rules=APPROVED, not_cooperative=True)
    assert step.judged_under == TIGHTENED
    assert step.after.severity == TIGHTENED and step.after.consecutive_accepted == 1
    assert "not cooperative" in step.switches[0].reason


def test_not_cooperative_supplier_is_inspected_tightened_instead_of_reduced() -> None:
    severity, why = effective_severity(reduced(), not_cooperative=True, rules=APPROVED)
    assert severity == TIGHTENED and why is not None


def test_not_cooperative_supplier_never_returns_to_normal_however_many_lots_pass() -> None:
    standing = run([ACCEPT] * 30, tightened(), rules=APPROVED, not_cooperative=True)
    assert standing.severity == TIGHTENED and standing.consecutive_accepted == 30
    # Rating lifted: the run of 5 is already there, so the next accepted lot switches.
    assert run([ACCEPT], standing, rules=APPROVED).severity == NORMAL


def test_not_cooperative_supplier_is_stopped_after_five_rejections_on_tightened() -> None:
    assert run([REJECT] * 5, rules=APPROVED, not_cooperative=True).severity == STOPPED


def test_a_cooperative_supplier_on_normal_keeps_normal() -> None:
    severity, why = effective_severity(Standing(), not_cooperative=False, rules=APPROVED)
    assert (severity, why) == (NORMAL, None)
