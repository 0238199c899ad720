"""works 0003_work_to_committee: before the database holds a task to exactly one, the tasks it would refuse are
put right: one given to a unit and a person keeps its unit, one given to no one goes to the committee."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.procedures import flows
from yishi.works.models import Work

BEFORE = [("works", "0002_satisfaction")]
AFTER = [("works", "0003_work_to_committee")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# serialized_rollback, as every transactional test here: its flush then leaves the tables empty for the next one
# to load the seeded rows into, instead of re-creating content types that the next load would collide with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_tasks_the_rule_would_refuse_are_put_right_before_it_holds(place):
    m = flows.implementing(place)
    try:
        old = migrate(BEFORE).get_model("works", "Work")
        row = {"matter_id": m.pk, "title": "修路", "due_on": place.soon}
        both = old.objects.create(**row, unit_id=place.fire.pk, assignee_id=place.neighbour.pk)
        nobody = old.objects.create(**row)
        unit = old.objects.create(**row, unit_id=place.fire.pk)
        person = old.objects.create(**row, assignee_id=place.neighbour.pk)
    finally:
        migrate(AFTER)  # the database is left as every other test expects it, whatever happened

    after = {w.pk: (w.unit_id, w.to_committee, w.assignee_id) for w in Work.objects.all()}
    assert after == {
        both.pk: (place.fire.pk, False, None),
        nobody.pk: (None, True, None),
        unit.pk: (place.fire.pk, False, None),
        person.pk: (None, False, place.neighbour.pk),
    }
