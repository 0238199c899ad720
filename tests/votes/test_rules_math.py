"""The rule arithmetic, without a database: thresholds, quorum, 过半 against 以上, plurality, owners' dual count."""

from fractions import Fraction

import pytest
from django.utils import translation

from yishi.votes.rules_math import (
    PRESETS,
    Base,
    Counts,
    Entry,
    Method,
    Rule,
    TallyState,
    decide,
    more_than,
    needed,
    reaches,
    tally_state,
)

EIGHT_STEP = Rule()  # ≥ 2/3 of the whole electorate


def yes_no(electorate, yes, no=0, abstain=0, present=None):
    present = yes + no + abstain if present is None else present
    return Counts(electorate=electorate, present=present, choices={"yes": yes, "no": no, "abstain": abstain})


# ---- the threshold table -----------------------------------------------------------------------------------


def smallest_passing(n: int) -> int:
    """Worked out independently of the code under test, with exact fractions: the least k with k/n ≥ 2/3."""
    return next(k for k in range(n + 1) if Fraction(k, n) >= Fraction(2, 3))


@pytest.mark.parametrize("n", range(3, 61))
def test_two_thirds_of_the_electorate_passes_at_exactly_the_smallest_count_and_not_one_fewer(n):
    k = smallest_passing(n)
    assert decide(EIGHT_STEP, yes_no(n, k, n - k)).passed
    assert not decide(EIGHT_STEP, yes_no(n, k - 1, n - k + 1)).passed
    assert needed(n, 2, 3) == k


@pytest.mark.parametrize(
    ("n", "k"),
    [(3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (29, 20), (30, 20), (31, 21), (45, 30), (59, 40), (60, 40)],
)
def test_the_smallest_passing_counts_written_out(n, k):
    assert decide(EIGHT_STEP, yes_no(n, k)).passed
    assert not decide(EIGHT_STEP, yes_no(n, k - 1)).passed


def test_twenty_of_thirty_passes_and_nineteen_does_not_with_the_reason_in_words():
    with translation.override("en"):
        ok, short = decide(EIGHT_STEP, yes_no(30, 20, 10)), decide(EIGHT_STEP, yes_no(30, 19, 11))
        assert (ok.passed, ok.code) == (True, "passed")
        assert (short.passed, short.code) == (False, "below_threshold")
        assert short.reason() == "19 of 30 in favour, 20 needed: not passed."


def test_absent_representatives_count_against_a_rule_on_the_whole_electorate():
    # 20 present all in favour of 31: 20/31 < 2/3.
    assert not decide(EIGHT_STEP, yes_no(31, 20, present=20)).passed
    assert decide(EIGHT_STEP, yes_no(30, 20, present=20)).passed


def test_no_float_creeps_in_with_large_electorates():
    # 2/3 of 3·10^18 + 1: floats would round the boundary away.
    n = 3 * 10**18 + 1
    k = needed(n, 2, 3)
    assert k == 2 * 10**18 + 1
    assert reaches(k, n, 2, 3) and not reaches(k - 1, n, 2, 3)


# ---- 过半 (more than) against 以上 (at least) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "strict_least", "inclusive_least"), [(30, 16, 15), (31, 16, 16), (2, 2, 1), (1, 1, 1)]
)
def test_more_than_half_excludes_the_bound_and_at_least_half_includes_it(base, strict_least, inclusive_least):
    assert needed(base, 1, 2, strict=True) == strict_least
    assert more_than(strict_least, base, 1, 2) and not more_than(strict_least - 1, base, 1, 2)
    assert needed(base, 1, 2) == inclusive_least
    assert reaches(inclusive_least, base, 1, 2) and not reaches(inclusive_least - 1, base, 1, 2)


def test_half_exactly_fails_a_more_than_half_rule_of_those_present():
    rule = Rule(threshold_numerator=1, threshold_denominator=2, base=Base.PRESENT, strict=True)
    assert not decide(rule, yes_no(40, 15, 15)).passed
    assert decide(rule, yes_no(40, 16, 14)).passed
    assert decide(
        Rule(threshold_numerator=1, threshold_denominator=2, base=Base.PRESENT), yes_no(40, 15, 15)
    ).passed


def test_the_base_of_votes_cast_leaves_abstentions_out_and_the_base_of_those_present_keeps_them():
    counts = yes_no(50, 10, 8, abstain=12)
    half = {"threshold_numerator": 1, "threshold_denominator": 2, "strict": True}
    assert decide(Rule(**half, base=Base.CAST), counts).passed  # 10 of 18
    assert not decide(Rule(**half, base=Base.PRESENT), counts).passed  # 10 of 30


def test_nobody_voting_for_or_against_decides_nothing_on_the_base_of_votes_cast():
    decision = decide(Rule(base=Base.CAST), yes_no(10, 0, 0, abstain=5))
    assert (decision.passed, decision.code) == (False, "no_votes")


# ---- quorum ----------------------------------------------------------------------------------------------


VILLAGE_REPRESENTATIVES = PRESETS["village_representatives"].rule  # ≥ 2/3 present; > 1/2 of those present


def test_a_representatives_meeting_without_two_thirds_present_does_not_count_however_they_vote():
    # 30 members: 20 present is the quorum, 19 is not, even if all 19 agree.
    decision = decide(VILLAGE_REPRESENTATIVES, yes_no(30, 19))
    assert (decision.passed, decision.code) == (False, "no_quorum")
    with translation.override("en"):
        assert decision.reason() == "Only 19 of 30 took part, 20 needed: the vote does not count."
    assert decide(VILLAGE_REPRESENTATIVES, yes_no(30, 11, 9)).passed  # 20 present, 11 > 10


def test_with_the_quorum_met_more_than_half_of_those_present_is_needed():
    assert not decide(VILLAGE_REPRESENTATIVES, yes_no(30, 10, 10)).passed
    assert decide(VILLAGE_REPRESENTATIVES, yes_no(30, 11, 9)).passed


def test_a_residents_meeting_needs_more_than_half_present_so_exactly_half_is_no_quorum():
    rule = PRESETS["residents_assembly"].rule
    assert decide(rule, yes_no(100, 50)).code == "no_quorum"
    assert decide(rule, yes_no(100, 51)).passed
    assert decide(rule, yes_no(100, 26, 25)).passed
    assert not decide(rule, yes_no(100, 25, 26)).passed


def test_an_empty_electorate_never_meets_a_quorum():
    assert decide(VILLAGE_REPRESENTATIVES, yes_no(0, 0)).code == "no_quorum"


# ---- plurality among options -----------------------------------------------------------------------------


PLURALITY = Rule(method=Method.PLURALITY)


def options(electorate, present, **votes):
    return Counts(electorate=electorate, present=present, choices=votes)


def test_the_option_with_the_most_votes_wins():
    decision = decide(PLURALITY, options(60, 50, **{"1": 12, "2": 30, "3": 8}))
    assert (decision.passed, decision.winner) == (True, "2")
    with translation.override("en"):
        assert decision.reason({"2": "绿美园艺"}) == "“绿美园艺” has the most votes (30)."


def test_a_tie_for_first_place_decides_nothing_and_names_the_tied_options():
    decision = decide(PLURALITY, options(60, 50, **{"1": 20, "2": 20, "3": 10}))
    assert (decision.passed, decision.code, decision.winner) == (False, "tie", None)
    with translation.override("en"):
        assert decision.reason({"1": "甲队", "2": "乙队"}) == (
            "甲队、乙队 tied with 20 votes each: no option won. Hold a new vote between them."
        )


def test_a_tie_below_first_place_does_not_matter():
    assert decide(PLURALITY, options(60, 50, **{"1": 30, "2": 10, "3": 10})).winner == "1"


def test_abstentions_never_win_a_plurality():
    decision = decide(PLURALITY, options(60, 50, **{"1": 5, "2": 4, "abstain": 41}))
    assert decision.winner == "1"
    assert decide(PLURALITY, options(60, 50, **{"1": 0, "2": 0, "abstain": 9})).code == "no_votes"


def test_plurality_still_respects_a_quorum():
    rule = Rule(method=Method.PLURALITY, quorum_numerator=1, quorum_denominator=2, quorum_strict=True)
    assert decide(rule, options(60, 30, **{"1": 20, "2": 10})).code == "no_quorum"
    assert decide(rule, options(60, 31, **{"1": 20, "2": 11})).winner == "1"


# ---- owners' decisions: by head and by floor area (民法典 Art. 278) -----------------------------------------


ORDINARY, SPECIAL = PRESETS["owners_ordinary"].rule, PRESETS["owners_special"].rule


def owners(electorate, area, present, present_area, yes, yes_area, no=None, no_area=None):
    no = present - yes if no is None else no
    no_area = present_area - yes_area if no_area is None else no_area
    return Counts(
        electorate=electorate,
        present=present,
        choices={"yes": yes, "no": no},
        electorate_weight=area,
        present_weight=present_area,
        choice_weights={"yes": yes_area, "no": no_area},
    )


def test_an_owners_vote_passes_only_with_more_than_half_of_both_the_participating_heads_and_area():
    # 12 owners, 1200.00 m²; 9 owners with 900.00 m² take part (3/4 of both).
    assert decide(ORDINARY, owners(12, 120000, 9, 90000, yes=5, yes_area=45001)).code == "passed_area"
    by_heads_only = decide(ORDINARY, owners(12, 120000, 9, 90000, yes=5, yes_area=45000))
    assert (by_heads_only.passed, by_heads_only.code) == (False, "below_threshold_area")
    by_area_only = decide(ORDINARY, owners(12, 120000, 9, 90000, yes=4, yes_area=60000))
    assert (by_area_only.passed, by_area_only.code) == (False, "below_threshold")


def test_an_owners_vote_needs_two_thirds_of_the_owners_and_of_the_area_to_take_part():
    # 8 of 12 owners (2/3) but only 799.99 of 1200 m²: the area falls short by a hundredth.
    decision = decide(ORDINARY, owners(12, 120000, 8, 79999, yes=8, yes_area=79999))
    assert (decision.passed, decision.code) == (False, "no_quorum_area")
    with translation.override("en"):
        assert "799.99 of 1200.00 m²" in decision.reason()
        assert "800.00 m² needed" in decision.reason()
    assert decide(ORDINARY, owners(12, 120000, 7, 110000, yes=7, yes_area=110000)).code == "no_quorum"
    assert decide(ORDINARY, owners(12, 120000, 8, 80000, yes=8, yes_area=80000)).passed


def test_a_special_owners_matter_needs_three_quarters_of_the_participating_heads_and_area_inclusive():
    # 12 take part with 1200 m²: 9 owners and 900.00 m² is exactly 3/4 and passes; 899.99 m² does not.
    assert decide(SPECIAL, owners(12, 120000, 12, 120000, yes=9, yes_area=90000)).passed
    assert (
        decide(SPECIAL, owners(12, 120000, 12, 120000, yes=9, yes_area=89999)).code == "below_threshold_area"
    )
    assert decide(SPECIAL, owners(12, 120000, 12, 120000, yes=8, yes_area=110000)).code == "below_threshold"
    # The ordinary rule would have passed the 8 owners with 1100 m².
    assert decide(ORDINARY, owners(12, 120000, 12, 120000, yes=8, yes_area=110000)).passed


# ---- the rule's shape ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"threshold_denominator": 0},
        {"quorum_denominator": 0},
        {"threshold_numerator": 4, "threshold_denominator": 3},
        {"quorum_numerator": 2, "quorum_denominator": 1},
        {"threshold_numerator": 0},
        {"threshold_numerator": -1},
        {"threshold_numerator": 2.0},
        {"method": Method.PLURALITY, "by_area": True},
        {"base": "everyone"},
    ],
)
def test_a_rule_that_cannot_be_applied_is_rejected(bad):
    with pytest.raises(ValueError):
        Rule(**bad)


@pytest.mark.parametrize(
    "bad",
    [
        {"electorate": 3, "present": 4, "choices": {}},
        {"electorate": 5, "present": 2, "choices": {"yes": 3}},
        {"electorate": 5, "present": 2, "choices": {"yes": -1}},
        {"electorate": 5, "present": 2, "choices": {}, "electorate_weight": 10, "present_weight": 11},
    ],
)
def test_counts_that_cannot_be_true_are_rejected(bad):
    with pytest.raises(ValueError):
        Counts(**bad)


def test_every_preset_names_its_source_and_the_statutory_ones_cite_an_article():
    assert {
        "eight_step",
        "village_representatives",
        "village_assembly",
        "residents_assembly",
        "owners_ordinary",
        "owners_special",
        "plurality",
    } <= set(PRESETS)
    for key, preset in PRESETS.items():
        assert preset.source, key
    for key in ("village_representatives", "village_assembly", "residents_assembly", "owners_ordinary"):
        assert "Art." in PRESETS[key].source


def test_the_rule_describes_itself_in_words():
    with translation.override("en"):
        assert EIGHT_STEP.describe() == "at least 2/3 of all entitled to vote in favour"
        assert VILLAGE_REPRESENTATIVES.describe() == (
            "at least 2/3 of the electorate must take part; more than 1/2 of those taking part in favour"
        )
        assert "by floor area" in ORDINARY.describe()


# ---- double entry ----------------------------------------------------------------------------------------


A, B = 1, 2  # two members of staff


def test_no_entry_is_nothing_and_one_entry_is_pending():
    assert tally_state([]) == (TallyState.NONE, None)
    assert tally_state([Entry(1, 1, A, {"yes": 3})]) == (TallyState.PENDING, None)


def test_two_people_agreeing_is_accepted_two_disagreeing_is_a_mismatch():
    assert tally_state([Entry(1, 1, A, {"yes": 3}), Entry(1, 2, B, {"yes": 3})]) == (
        TallyState.ACCEPTED,
        {"yes": 3},
    )
    assert tally_state([Entry(1, 1, A, {"yes": 3}), Entry(1, 2, B, {"yes": 4})])[0] == TallyState.MISMATCH


def test_the_same_person_twice_is_never_accepted_even_if_the_figures_agree():
    assert tally_state([Entry(1, 1, A, {"yes": 3}), Entry(1, 2, A, {"yes": 3})])[0] == TallyState.MISMATCH


def test_after_a_mismatch_a_new_round_decides():
    first = [Entry(1, 1, A, {"yes": 3}), Entry(1, 2, B, {"yes": 4})]
    assert tally_state([*first, Entry(2, 1, B, {"yes": 4})])[0] == TallyState.PENDING
    assert tally_state([*first, Entry(2, 1, B, {"yes": 4}), Entry(2, 2, A, {"yes": 4})]) == (
        TallyState.ACCEPTED,
        {"yes": 4},
    )
