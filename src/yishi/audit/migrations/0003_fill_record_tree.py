"""The entries recorded so far become the tree's first leaves, in their sequence order (issue 14).

The chain's own hashes stay as they were and are still checked; the tree is built beside them. Uses only the
pure hashing (``chain.entry_bytes``, ``merkle``), whose bytes are fixed by docs/record.md.
"""

from django.db import migrations

BATCH = 5000
FIELDS = ("at", "actor_ref", "action", "target_type", "target_id", "data", "personal_digest")


def fill(apps, schema_editor):
    from yishi.audit import merkle
    from yishi.audit.chain import entry_bytes

    entry_model = apps.get_model("audit", "AuditEntry")
    node_model = apps.get_model("audit", "TreeNode")
    if node_model.objects.exists():
        return
    edge: dict[int, bytes] = {}
    size = 0
    rows = entry_model.objects.order_by("seq").values("seq", *FIELDS)
    batch: list[bytes] = []
    for row in rows.iterator(BATCH):
        if row["seq"] != size + 1 + len(batch):
            break  # a gap: verify-audit names it; the tree stops before it
        batch.append(merkle.leaf_hash(entry_bytes(**{f: row[f] for f in FIELDS})))
        if len(batch) == BATCH:
            size = _append(node_model, edge, size, batch)
            batch = []
    _append(node_model, edge, size, batch)


def _append(node_model, edge, size, leaves):
    from yishi.audit import merkle

    nodes = merkle.append(edge, size, leaves)
    node_model.objects.bulk_create(node_model(level=lv, index=ix, hash=h.hex()) for lv, ix, h in nodes)
    return size + len(leaves)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_record_tree")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
