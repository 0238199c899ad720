"""GET /api/v1/figures/regions/{id}: the dashboard's numbers as JSON, for those who may see them."""

import pytest
from django.utils import timezone

from tests import builders
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.people.tokens import issue_token

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def path(region):
    return f"/api/v1/figures/regions/{region.pk}"


@pytest.fixture
def counted(place):
    m = flows.raise_flood(place)
    matters.accept(actor=place.secretary, matter=m)
    flows.session(place, m)
    place.bureau = builders.person("王建华", password="pw-12345678x")
    builders.role(place.bureau, "bureau", place.tree.city)
    return place


def test_the_bureau_reads_a_regions_figures_with_a_token(client, counted):
    token = issue_token(counted.bureau)
    response = client.get(path(counted.tree.city), {"year": YEAR}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"]["name"] == "沧州市"
    assert body["period"]["params"] == {"year": str(YEAR)} and body["period"]["start"] == f"{YEAR}-01-01"
    assert (body["raised"], body["accepted"], body["open"], body["resolved"]) == (1, 1, 1, 0)
    assert [(c["key"], c["raised"]) for c in body["by_category"]] == [("environment", 1)]
    rows = {s["region"]["name"]: s["raised"] for s in body["subregions"]}
    assert rows == {"运河区": 1, "新华区": 0}
    assert len(body["trend"]) == 12 and sum(m["raised"] for m in body["trend"]) == 1
    raise_step = next(s for s in body["steps"] if s["key"] == "raise")
    assert raise_step["count"] == 1 and "多种渠道提议题" in raise_step["label"]
    assert body["ratings"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0} and body["satisfaction"] is None


def test_the_session_of_a_committee_member_reads_its_own_community_only(client, counted):
    client.force_login(counted.secretary)
    assert client.get(path(counted.tree.community)).status_code == 200
    response = client.get(path(counted.tree.street))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get(path(counted.tree.sibling)).status_code == 403


def test_residents_are_refused_and_anonymous_callers_must_sign_in(client, counted):
    client.force_login(counted.resident)
    assert client.get(path(counted.tree.community)).status_code == 403
    client.logout()
    response = client.get(path(counted.tree.community))
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": YEAR, "quarter": 9}, "quarter"),
        ({"from": "2026-01"}, "to"),
    ],
)
def test_a_bad_period_is_422_with_the_field_and_a_sentence(client, counted, query, field):
    client.force_login(counted.bureau)
    response = client.get(path(counted.tree.city), query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_period" and body["field"] == field and body["detail"]


def test_an_unknown_region_is_404(client, counted):
    client.force_login(counted.bureau)
    assert client.get("/api/v1/figures/regions/999999").status_code == 404
