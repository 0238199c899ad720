"""Step 8's satisfaction: the residents who raised or supported a matter rate its result."""

import pytest
from django.urls import reverse

from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.procedures import services as engine
from yishi.works.queries import satisfaction_of
from yishi.works.services import rate_result


def published(place):
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小型维修",
    )
    matters.support(actor=place.neighbour, matter=m)
    version = flows.plan(place, m)
    flows.session(place, m)
    from yishi.plans.services import record_consensus

    record_consensus(actor=place.secretary, matter=m, version=version, minutes="分工")
    engine.advance(actor=place.secretary, matter=m)
    flows.implement_and_confirm(place, m, supervisor=place.resident)
    return engine.advance(actor=place.secretary, matter=m)


def test_the_submitter_and_supporters_rate_the_result_once_each_and_may_change_it(place):
    m = published(place)
    rate_result(actor=place.resident, matter=m, rating=5)
    rate_result(actor=place.neighbour, matter=m, rating=3, comment="施工有点慢")
    rate_result(actor=place.neighbour, matter=m, rating=4)
    assert satisfaction_of(m) == {"count": 2, "average": 4.5}


def test_rating_before_publication_or_by_others_is_refused(place):
    m = matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")
    with pytest.raises(Refused) as exc:
        rate_result(actor=place.resident, matter=m, rating=5)
    assert exc.value.code == "forbidden"
    m = published(place)
    for outsider in (place.outsider, place.secretary):
        with pytest.raises(Refused):
            rate_result(actor=outsider, matter=m, rating=1)
    with pytest.raises(Refused) as exc:
        rate_result(actor=place.resident, matter=m, rating=6)
    assert exc.value.code == "invalid_rating"
    assert satisfaction_of(m)["count"] == 0


def test_a_resolved_matter_can_still_be_rated_from_its_page(place, client):
    m = published(place)
    flows.publish(place, m)
    m = engine.advance(actor=place.secretary, matter=m)
    client.force_login(place.neighbour)
    page = client.get(reverse("matters:detail", args=[m.pk]))
    assert f'action="{reverse("matters:rate", args=[m.pk])}"' in page.content.decode()
    response = client.post(reverse("matters:rate", args=[m.pk]), {"rating": "4", "comment": "满意"})
    assert response.status_code == 302
    assert satisfaction_of(m) == {"count": 1, "average": 4.0}
    client.force_login(place.outsider)
    assert client.post(reverse("matters:rate", args=[m.pk]), {"rating": "1"}).status_code == 403


def test_the_api_takes_a_rating_from_a_supporter_and_refuses_an_outsider(place, client):
    m = published(place)
    client.force_login(place.neighbour)
    response = client.post(
        f"/api/v1/matters/{m.pk}/satisfaction", {"rating": 5}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json() == {"count": 1, "average": 5.0}
    client.force_login(place.outsider)
    response = client.post(
        f"/api/v1/matters/{m.pk}/satisfaction", {"rating": 1}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = client.post(
        f"/api/v1/matters/{m.pk}/satisfaction", {"rating": 9}, content_type="application/json"
    )
    assert response.status_code == 422


def test_who_supervises_is_asked_of_the_person_alone(place):
    """谁受益谁监督: the submitter without a query, a supporter by one lookup (or none when the page has read it),
    never by reading every supporter."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yishi.works.services import may_rate, supervises

    m = published(place)
    with CaptureQueriesContext(connection) as captured:
        assert supervises(place.resident, m)
    assert len(captured.captured_queries) == 0
    with CaptureQueriesContext(connection) as captured:
        assert supervises(place.neighbour, m) and not supervises(place.outsider, m)
        assert not supervises(place.secretary, m)
    assert len(captured.captured_queries) == 3
    with CaptureQueriesContext(connection) as captured:
        assert supervises(place.neighbour, m, supports=True) and not supervises(
            place.outsider, m, supports=False
        )
        assert not supervises(None, m) and not supervises(AnonymousUser(), m)
    assert captured.captured_queries == []
    assert may_rate(place.neighbour, m) and not may_rate(place.outsider, m)
