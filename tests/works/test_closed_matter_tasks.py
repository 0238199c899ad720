"""A matter closed while a task is under way: its unit reports no more and its residents no longer confirm or
reopen the task, through the service, the page or the API, and nothing about the task changes."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.procedures import flows
from yishi.errors import Refused
from yishi.people.tokens import issue_token
from yishi.procedures import services as engine
from yishi.procedures.queries import available_actions
from yishi.works.models import ProgressReport, Supervision, Work, WorkStatus
from yishi.works.services import assign_work, report_progress, supervise


def implementing_with_a_finished_task(place):
    m = flows.implementing(place)
    work = assign_work(actor=place.secretary, matter=m, title="修路", unit=place.fire, due_on=place.soon)
    report_progress(actor=place.fire_staff, work=work, text="已修", done=True)
    return m, work


def as_(person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


def test_the_residents_confirm_while_the_matter_is_carried_out(place):
    m, work = implementing_with_a_finished_task(place)
    assert "procedures.confirm_work" in available_actions(place.resident, m)
    supervise(actor=place.resident, work=work, verdict="confirm", rating=5)
    assert Work.objects.get(pk=work.pk).status == WorkStatus.CONFIRMED


def test_after_closing_no_one_reopens_confirms_or_reports_and_the_task_stays_as_it_was(place):
    m, work = implementing_with_a_finished_task(place)
    m = engine.close_unresolved(actor=place.secretary, matter=m, reason="经费不足")
    assert "procedures.confirm_work" not in available_actions(place.resident, m)
    before = (
        Work.objects.filter(pk=work.pk).values().get(),
        Supervision.objects.count(),
        ProgressReport.objects.count(),
    )

    for verdict, reason in (("reopen", "没修好"), ("confirm", "")):
        with pytest.raises(Refused) as exc:
            supervise(actor=place.resident, work=work, verdict=verdict, reason=reason)
        assert exc.value.code == "not_open"
    with pytest.raises(Refused) as exc:
        report_progress(actor=place.fire_staff, work=work, text="又修了一次", done=True)
    assert exc.value.code == "not_open"
    with pytest.raises(Refused) as exc:  # not a supervisor at all: refused as such, before the step is asked
        supervise(actor=place.outsider, work=work, verdict="reopen", reason="x")
    assert exc.value.code == "forbidden"

    page = as_(place.resident).post(
        reverse("matters:work_supervise", args=[m.pk, work.pk]), {"verdict": "reopen", "reason": "没修好"}
    )
    assert page.status_code in (400, 403, 409)
    assert "closed" in page.content.decode() or "cannot move" in page.content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(place.resident)}").post(
        f"/api/v1/matters/{m.pk}/works/{work.pk}/supervise",
        json.dumps({"verdict": "reopen", "reason": "没修好"}),
        content_type="application/json",
    )
    assert api.status_code >= 400 and api.json()["code"] == "not_open", api.content

    after = (
        Work.objects.filter(pk=work.pk).values().get(),
        Supervision.objects.count(),
        ProgressReport.objects.count(),
    )
    assert after == before


def test_a_closed_matters_tasks_leave_the_lists_of_work_to_do(place):
    """Overdue on the worker's home, to do on the unit's, to confirm on the resident's: while the matter is open
    only. A task left overdue when its matter closed is not chased, escalated or listed."""
    import datetime

    from yishi.works import queries

    m, done = implementing_with_a_finished_task(place)
    late = assign_work(actor=place.secretary, matter=m, title="清理积水", unit=place.fire, due_on=place.soon)
    Work.objects.filter(pk=late.pk).update(due_on=place.today - datetime.timedelta(days=9))
    scope = [place.tree.community]
    assert list(queries.overdue_in(scope)) == [late]
    assert set(queries.for_unit_staff(place.fire_staff)) == {done, late}
    assert list(queries.to_confirm(place.resident)) == [done]

    engine.close_unresolved(actor=place.secretary, matter=m, reason="经费不足")
    assert list(queries.overdue_in(scope)) == []
    assert list(queries.for_unit_staff(place.fire_staff)) == []
    assert list(queries.to_confirm(place.resident)) == []
