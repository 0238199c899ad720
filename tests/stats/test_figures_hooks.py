"""The services keep the roll-ups current by their own call (``figures_hooks``), not through the audit log."""

import pytest
from django.db import transaction
from django.db.models.signals import post_save

from tests.stats.test_rollups import tables
from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.models import AuditEntry
from yishi.audit.services import record
from yishi.matters import services as matters
from yishi.matters.models import Matter, Status
from yishi.stats import rebuilding, receivers, rollups
from yishi.stats.models import Counter


@pytest.fixture
def refreshes(monkeypatch):
    """The roll-up refreshes started, by name."""
    calls = []
    for name in ("refresh", "refresh_new_matter", "refresh_added_participation"):
        real = getattr(rollups, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(rollups, name, spy)
    return calls


def counted(place, dim: str) -> int:
    return sum(Counter.objects.filter(region=place.tree.building, dim=dim).values_list("n", flat=True))


def raise_one(place, title="路灯不亮") -> Matter:
    return matters.raise_matter(
        actor=place.resident,
        region=place.tree.building,
        title=title,
        description="晚上看不见路",
        category=place.category,
    )


def test_nothing_listens_to_the_audit_log():
    assert not post_save.has_listeners(AuditEntry)


def test_stats_installs_what_the_services_calls_do():
    installed = figures_hooks.install(None)
    figures_hooks.install(installed)
    assert installed is receivers.refresh_for


def test_a_service_change_updates_the_roll_ups_in_its_own_transaction(place, refreshes):
    matter = raise_one(place)
    assert refreshes == ["refresh_new_matter"]
    assert counted(place, "raised") == 1
    matters.support(actor=place.neighbour, matter=matter)
    matters.decline(actor=place.secretary, matter=matter, reason="不属于社区事务")
    assert refreshes == ["refresh_new_matter", "refresh", "refresh"]
    assert counted(place, f"closed:{Status.DECLINED}") == 1
    kept = tables()
    rebuilding.rebuild()
    assert tables() == kept


def test_an_audit_entry_alone_refreshes_nothing(place, refreshes):
    matter = raise_one(place)
    refreshes.clear()
    with transaction.atomic():
        Matter.objects.filter(pk=matter.pk).update(status=Status.DECLINED)
        record(actor=place.secretary, action=Action.MATTERS_DECLINED, target=matter, data={})
    assert refreshes == []


def test_unheard_the_figures_stay_behind_until_rebuilt(place):
    installed = figures_hooks.install(None)
    try:
        raise_one(place)
    finally:
        figures_hooks.install(installed)
    assert counted(place, "raised") == 0
    rebuilding.rebuild()
    assert counted(place, "raised") == 1


def test_a_call_about_something_the_figures_do_not_count_is_refused(place):
    with pytest.raises(TypeError, match="count nothing"):
        figures_hooks.changed(place.tree.building)
