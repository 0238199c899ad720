"""audit 0003_fill_record_tree: the entries recorded before the tree existed become its first leaves."""

import importlib

from django.apps import apps
from django.db import transaction

from yishi.audit import merkle, tree
from yishi.audit.actions import Action
from yishi.audit.models import AuditEntry, TreeNode
from yishi.audit.services import record
from yishi.regions.models import Level
from yishi.regions.services import create_region

fill = importlib.import_module("yishi.audit.migrations.0003_fill_record_tree").fill


def test_the_entries_so_far_become_the_leaves_in_order(db):
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    for n in range(12):
        with transaction.atomic():
            record(actor=None, action=Action.REGIONS_SET_RULE, target=city, data={"n": n})
    assert not TreeNode.objects.exists()  # a test's transaction never commits: nothing was sequenced
    fill(apps, None)
    leaves = [tree.entry_leaf(row) for row in AuditEntry.objects.order_by("seq").values(*tree.LEAF_FIELDS)]
    assert tree.size() == 13
    assert tree.root(13) == merkle.root(merkle.leaves_subtree(leaves), 13)
    assert tree.check(13) is None
    # Run again (a migration re-applied after a fake rollback), it adds nothing.
    fill(apps, None)
    assert TreeNode.objects.filter(level=0).count() == 13
    # The next write continues the same tree.
    with transaction.atomic():
        record(actor=None, action=Action.REGIONS_SET_RULE, target=city, data={"n": 12})
    assert tree.extend(checkpoint_now=True).size == 14
    assert tree.check(14) is None
