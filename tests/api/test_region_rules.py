"""/api/v1/regions/{id}/rules: the rules in force (public), set by the bureau for a region and below."""

import pytest

from tests import builders
from tests.api.conftest import anonymous, ok, problem, send, with_session, with_token
from yishi.regions.models import RegionRule

KEY = "vote_threshold:eight_steps"


@pytest.fixture
def bureau(place):
    person = builders.person("王建华")
    builders.role(person, "bureau", place.tree.city)
    return person


def _rule(rows: list[dict], key: str) -> dict:
    (row,) = [r for r in rows if r["key"] == key]
    return row


def test_anyone_reads_the_rules_with_their_defaults_and_sources(place):
    rows = ok(anonymous().get(f"/api/v1/regions/{place.tree.compound.pk}/rules"))
    threshold = _rule(rows, KEY)
    assert threshold["kind"] == "fraction" and threshold["value"] == threshold["default"] == [2, 3]
    assert threshold["set_at"] is None and threshold["source"]
    assert {r["kind"] for r in rows} == {"days", "fraction"}


def test_the_bureau_sets_a_rule_for_a_region_and_everything_below_it_never_sideways(place, bureau):
    t = place.tree
    rows = ok(
        send(
            with_token(bureau),
            "put",
            f"/regions/{t.community.pk}/rules/{KEY}",
            {"value": [3, 4], "source": "社区议事规则第五条"},
        )
    )
    assert _rule(rows, KEY)["value"] == [3, 4]
    below = _rule(ok(anonymous().get(f"/api/v1/regions/{t.compound.pk}/rules")), KEY)
    assert below["value"] == [3, 4] and below["set_at"] == {"id": t.community.pk, "name": t.community.name}
    assert below["source"] == "社区议事规则第五条"
    assert _rule(ok(anonymous().get(f"/api/v1/regions/{t.sibling.pk}/rules")), KEY)["value"] == [2, 3]


def test_notice_days_may_be_a_number_or_none(place, bureau):
    key = "meeting_notice_days:consultation"
    rows = ok(
        send(
            with_token(bureau),
            "put",
            f"/regions/{place.tree.community.pk}/rules/{key}",
            {"value": None, "source": "紧急事项"},
        )
    )
    assert _rule(rows, key)["value"] is None
    rows = ok(
        send(
            with_token(bureau),
            "put",
            f"/regions/{place.tree.community.pk}/rules/{key}",
            {"value": 5, "source": "社区公约"},
        )
    )
    assert _rule(rows, key)["value"] == 5


@pytest.mark.parametrize(
    ("key", "body", "status", "code"),
    [
        (KEY, {"value": [4, 3], "source": "x"}, 409, "invalid_value"),
        (KEY, {"value": 7, "source": "x"}, 409, "invalid_value"),
        ("meeting_notice_days:consultation", {"value": 61, "source": "x"}, 409, "invalid_value"),
        ("meeting_notice_days:consultation", {"value": [1, 2], "source": "x"}, 409, "invalid_value"),
        ("no_such_rule", {"value": 5, "source": "x"}, 409, "unknown_rule"),
        (KEY, {"value": [2, 3], "source": "   "}, 409, "source_required"),
        (KEY, {"value": [2, 3]}, 422, "invalid"),
        (KEY, {"value": "two thirds", "source": "x"}, 422, "invalid"),
        (KEY, {"value": [2, 3], "source": "x" * 501}, 422, "invalid"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_is_saved(place, bureau, key, body, status, code):
    problem(
        send(with_token(bureau), "put", f"/regions/{place.tree.community.pk}/rules/{key}", body), status, code
    )
    assert not RegionRule.objects.exists()


def test_only_the_bureau_sets_rules(place):
    body = {"value": [1, 2], "source": "自己定的"}
    problem(
        send(with_token(place.secretary), "put", f"/regions/{place.tree.community.pk}/rules/{KEY}", body),
        403,
        "forbidden",
    )
    problem(
        send(with_session(place.resident), "put", f"/regions/{place.tree.community.pk}/rules/{KEY}", body),
        403,
        "forbidden",
    )
    problem(
        send(anonymous(), "put", f"/regions/{place.tree.community.pk}/rules/{KEY}", body),
        401,
        "unauthenticated",
    )
    assert not RegionRule.objects.exists()


def test_an_unknown_region_is_404(place, bureau):
    problem(anonymous().get("/api/v1/regions/999999/rules"), 404, "not_found")
    problem(
        send(with_token(bureau), "put", f"/regions/999999/rules/{KEY}", {"value": [2, 3], "source": "x"}),
        404,
        "not_found",
    )
