"""Procedures are data: pure checks, no database."""

import pytest

from yishi.procedures import definitions
from yishi.procedures.definitions import Procedure, Step
from yishi.procedures.evidence import CHECKS


def test_three_procedures_ship_with_eight_steps_as_default():
    assert set(definitions.PROCEDURES) == {"eight_steps", "four_and_two", "short_path"}
    assert definitions.DEFAULT.key == "eight_steps"
    assert len(definitions.EIGHT_STEPS.steps) == 8


def test_every_step_names_only_known_evidence():
    for procedure in definitions.PROCEDURES.values():
        for step in procedure.steps:
            assert step.evidence, f"{procedure.key}.{step.key} has no evidence"
            assert set(step.evidence) <= set(CHECKS), f"{procedure.key}.{step.key}"


def test_only_the_short_path_needs_a_reason():
    assert [p.key for p in definitions.PROCEDURES.values() if p.needs_reason] == ["short_path"]


def test_review_and_vote_return_to_drafting():
    eight = definitions.EIGHT_STEPS
    assert eight.step("review").returns_to == ("draft",)
    assert eight.step("vote").returns_to == ("draft",)


def test_a_step_may_not_return_forward_or_to_itself():
    with pytest.raises(ValueError):
        Procedure("bad", "bad", (Step("a", "a", returns_to=("b",)), Step("b", "b")))
    with pytest.raises(ValueError):
        Procedure("bad", "bad", (Step("a", "a", returns_to=("a",)),))


def test_a_fourth_procedure_is_a_value():
    fourth = Procedure(
        "hearing",
        "听证",
        (Step("raise", "提议", ("screened",)), Step("publish", "公示", ("result_published",))),
    )
    assert fourth.next_after("raise").key == "publish"
    assert fourth.next_after("publish") is None
    assert not fourth.enables("raise", "procedures.record_vote")


def test_recording_a_vote_is_enabled_only_in_the_vote_steps():
    expected = {"eight_steps": ["vote"], "four_and_two": ["resolution"], "short_path": []}
    for procedure in definitions.PROCEDURES.values():
        enabled = [s.key for s in procedure.steps if "procedures.record_vote" in s.actions]
        assert enabled == expected[procedure.key]
