"""Many writers at once, on real parallel PostgreSQL connections: the chain neither forks nor gaps."""

import itertools
import threading

import pytest
from django.db import connection, transaction

from yishi.audit import tree
from yishi.audit.actions import Action
from yishi.audit.models import AuditEntry, AuditHead, TreeNode
from yishi.audit.services import record, verify
from yishi.regions.models import Region

THREADS = 8
PER_THREAD = 25

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_in_threads(count: int, work) -> list[BaseException]:
    """Run ``work(index)`` in ``count`` threads started together, each on its own connection."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def body(index):
        try:
            start.wait(timeout=30)
            work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return errors


def append_entries(index: int) -> None:
    # The target only names an object; the chain starts empty, so the first appends race for its head.
    target = Region(pk=1000 + index)
    for n in range(PER_THREAD):
        with transaction.atomic():
            record(actor=None, action=Action.REGIONS_SET_RULE, target=target, data={"thread": index, "n": n})


def test_eight_writers_appending_25_entries_each_leave_one_whole_chain_of_200(on_postgres):
    # From an empty chain, so that the very first appends also race to create the chain head.
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    errors = run_in_threads(THREADS, append_entries)
    assert errors == []
    entries = list(AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash", "hash", "data"))
    assert [seq for seq, *_ in entries] == list(range(1, THREADS * PER_THREAD + 1))
    for (_, _, before, _), (_, after, _, _) in itertools.pairwise(entries):
        assert after == before
    per_thread = {i: sorted(data["n"] for *_, data in entries if data["thread"] == i) for i in range(THREADS)}
    assert per_thread == {i: list(range(PER_THREAD)) for i in range(THREADS)}
    assert AuditHead.objects.get().last_seq == THREADS * PER_THREAD
    # Each commit tried to add its entry to the tree, skipping when another writer was at it; one more pass
    # (the sequencer's) takes what the last of them left, and the tree holds every entry once, in order.
    assert tree.extend(checkpoint_now=True).size == THREADS * PER_THREAD
    assert TreeNode.objects.filter(level=0).count() == THREADS * PER_THREAD
    assert verify() is None


def test_verify_running_while_writers_append_never_reports_a_break(on_postgres):
    with transaction.atomic():
        record(actor=None, action=Action.REGIONS_SET_RULE, target=Region(pk=1), data={})
    writers = 3
    finished = threading.Semaphore(0)
    verdicts = []

    def work(index):
        if index == 0:  # the checker: verify again and again until every writer is done
            for _ in range(writers):
                while not finished.acquire(blocking=False):
                    verdicts.append(verify())
        else:
            try:
                append_entries(index)
            finally:
                finished.release()

    errors = run_in_threads(writers + 1, work)
    assert errors == []
    assert verdicts, "the checker never ran"
    assert [v for v in verdicts if v is not None] == []
    assert verify() is None
