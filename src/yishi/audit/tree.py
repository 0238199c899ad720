"""The record's Merkle tree in the database: extended from the entries, read for proofs, checked whole.

One writer extends the tree at a time (a PostgreSQL advisory lock; on SQLite the database's own write lock
and the tree's unique places). Entries enter the tree in sequence order; a checkpoint signed with the
record's key states each size the tree reached, at most once per ``AUDIT_CHECKPOINT_SECONDS``.
"""

import base64
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.errors import Refused

from . import merkle, notes
from .chain import entry_bytes
from .models import AuditEntry, Checkpoint, Cosignature, TreeNode
from .signing import log_signer

# Any 64-bit number that no other part of Yishi takes: pg_advisory locks share one key space.
SEQUENCER_LOCK = 0x59_49_53_48_49_4C_4F_47  # "YISHILOG"

# How far a witness's clock may stand from the record's.
CLOCK_SKEW = 300

LEAF_FIELDS = ("at", "actor_ref", "action", "target_type", "target_id", "data", "personal_digest")


def entry_leaf(row: dict) -> bytes:
    return merkle.leaf_hash(entry_bytes(**{field: row[field] for field in LEAF_FIELDS}))


def size() -> int:
    last = TreeNode.objects.filter(level=0).aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def _nodes(places: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    places = set(places)
    if not places:
        return {}
    by_level: dict[int, list[int]] = {}
    for level, index in places:
        by_level.setdefault(level, []).append(index)
    # One query for all: a proof or the tree's right edge touches about one node per level.
    wanted = Q()
    for level, indexes in by_level.items():
        wanted |= Q(level=level, index__in=indexes)
    rows = TreeNode.objects.filter(wanted).values_list("level", "index", "hash")
    found = {(level, index): bytes.fromhex(h) for level, index, h in rows}
    missing = places - found.keys()
    if missing:
        raise LookupError(f"the tree has no node at {sorted(missing)[:3]}: it was deleted or never built")
    return found


def _stored(question):
    """Answer ``question(subtree)`` from stored nodes in two passes: one to learn which nodes it reads, one
    query for them, then the answer. Every proof reads O(log n) nodes."""
    wanted: list[tuple[int, int]] = []

    def note(start: int, end: int) -> bytes:
        level = (end - start).bit_length() - 1
        wanted.append((level, start >> level))
        return b"\0" * 32

    question(note)
    found = _nodes(wanted)

    def read(start: int, end: int) -> bytes:
        level = (end - start).bit_length() - 1
        return found[(level, start >> level)]

    return question(read)


def root(tree_size: int) -> bytes:
    return _stored(lambda subtree: merkle.root(subtree, tree_size))


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return _stored(lambda subtree: merkle.inclusion_proof(subtree, index, tree_size))


def consistency_proof(old_size: int, tree_size: int) -> list[bytes]:
    return _stored(lambda subtree: merkle.consistency_proof(subtree, old_size, tree_size))


def leaf_index(leaf: bytes) -> int | None:
    """The first place of a leaf hash in the tree (an entry's place, from what a receipt or notice holds)."""
    return (
        TreeNode.objects.filter(level=0, hash=leaf.hex())
        .order_by("index")
        .values_list("index", flat=True)
        .first()
    )


def _lock(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
        return bool(cursor.fetchone()[0])


@dataclass(frozen=True)
class Extended:
    appended: int
    size: int
    checkpoint: Checkpoint | None


def extend(*, batch: int = 5000, wait: bool = True, checkpoint_now: bool = False) -> Extended:
    """Append the committed entries the tree does not hold yet, in sequence order, and sign a checkpoint
    when one is due. ``wait=False`` returns at once when another process is extending the tree."""
    appended = 0
    while True:
        with transaction.atomic():
            if not _lock(wait):
                return Extended(0, -1, None)
            n = size()
            rows = list(
                AuditEntry.objects.filter(seq__gt=n).order_by("seq").values("seq", *LEAF_FIELDS)[:batch]
            )
            # Only a run that continues the tree without a gap: a missing sequence number is for verify()
            # to name, and the entries after it wait.
            run = [row for offset, row in enumerate(rows) if row["seq"] == n + 1 + offset]
            if run:
                edge = {level: h for (level, _), h in _nodes(merkle.right_edge(n)).items()}
                nodes = merkle.append(edge, n, [entry_leaf(row) for row in run])
                try:
                    with transaction.atomic():
                        TreeNode.objects.bulk_create(
                            TreeNode(level=level, index=index, hash=h.hex()) for level, index, h in nodes
                        )
                except IntegrityError:
                    # Another process (SQLite has no advisory lock) appended the same leaves first.
                    return Extended(appended, size(), None)
                appended += len(run)
            if len(run) < batch:
                made = _checkpoint_if_due(n + len(run), force=checkpoint_now)
                return Extended(appended, n + len(run), made)


def _checkpoint_if_due(tree_size: int, *, force: bool) -> Checkpoint | None:
    last = Checkpoint.objects.order_by("-size").values_list("size", "at").first()
    if last is not None and last[0] >= tree_size:
        return None
    now = timezone.now()
    interval = datetime.timedelta(seconds=settings.AUDIT_CHECKPOINT_SECONDS)
    if not force and last is not None and now - last[1] < interval:
        return None
    return sign_checkpoint(tree_size, now)


def sign_checkpoint(tree_size: int, now: datetime.datetime) -> Checkpoint:
    digest = root(tree_size)
    body = notes.Checkpoint(settings.AUDIT_LOG_ORIGIN, tree_size, digest).text()
    note = notes.sign(body, log_signer())
    return Checkpoint.objects.create(size=tree_size, root=digest.hex(), at=now, note=str(note))


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def published(checkpoint: Checkpoint) -> str:
    """The checkpoint as the record publishes it: its signed note with the witnesses' cosignatures added."""
    lines = checkpoint.cosignatures.order_by("witness", "key_id").values_list("line", flat=True)
    return checkpoint.note + "".join(lines)


def witnesses() -> list[notes.Verifier]:
    return [notes.parse_verifier_key(key) for key in settings.AUDIT_WITNESSES]


def add_cosignature(size: int, line: str) -> Cosignature:
    """Keep a witness's cosignature of the checkpoint of ``size``; only a known witness's valid one is kept."""
    checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        raise Refused(_("The record has no checkpoint of that size."), "no_checkpoint")
    note = notes.parse(checkpoint.note)
    try:
        (name, signature), *rest = notes.parse(note.text + "\n" + line.rstrip("\n") + "\n").signatures
    except (notes.NoteError, ValueError) as exc:
        raise Refused(_("That is not one signature line of a signed note."), "bad_cosignature") from exc
    if rest:
        raise Refused(_("That is not one signature line of a signed note."), "bad_cosignature")
    witness = next((w for w in witnesses() if w.name == name and w.id == signature[:4]), None)
    if witness is None or witness.kind != notes.COSIGNATURE_V1:
        raise Refused(_("The record does not know this witness."), "unknown_witness")
    stamp = witness.verify(note.text, signature[4:])
    if stamp is None:
        raise Refused(_("The cosignature does not verify for this checkpoint."), "bad_cosignature")
    now = timezone.now()
    if not checkpoint.at.timestamp() - CLOCK_SKEW <= stamp <= now.timestamp() + CLOCK_SKEW:
        raise Refused(
            _("The cosignature's time is before the checkpoint or in the future."), "bad_cosignature"
        )
    found = checkpoint.cosignatures.filter(witness=name, key_id=witness.id.hex()).first()
    if found is not None:
        return found
    return Cosignature.objects.create(
        checkpoint=checkpoint,
        witness=name,
        key_id=witness.id.hex(),
        line=f"{notes.SIGNATURE_DASH}{name} {base64.b64encode(signature).decode()}\n",
        signed_at=datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC),
    )


# ------------------------------------------------------------------------------------------ checking it whole
def _level(level: int) -> Iterator[tuple[int, str]]:
    return TreeNode.objects.filter(level=level).order_by("index").values_list("index", "hash").iterator(5000)


def check(tree_size: int) -> str | None:
    """Recompute the stored tree of ``tree_size`` leaves from the entries; the first difference, or None.

    Streams level by level (each node against its two children), so a log of millions of entries is checked
    in constant memory.
    """
    entries = AuditEntry.objects.filter(seq__lte=tree_size).order_by("seq").values("seq", *LEAF_FIELDS)
    leaves = _level(0)
    expected = 0
    for row in entries.iterator(5000):
        stored = next(leaves, None)
        if row["seq"] != expected + 1:
            return f"entry #{expected + 1} is missing, but the tree holds its leaf"
        if stored is None or stored[0] != expected:
            return f"the tree has no leaf for entry #{expected + 1}"
        if entry_leaf(row).hex() != stored[1]:
            return f"entry #{row['seq']} is not the entry its leaf was made from (edited)"
        expected += 1
    if expected < tree_size:
        return f"entry #{expected + 1} is missing, but the tree holds its leaf"
    level, width = 1, tree_size // 2
    while width:
        children = _level(level - 1)
        checked = 0
        for index, h in _level(level):
            if index >= width:
                break
            left, right = next(children, None), next(children, None)
            if (
                index != checked
                or left is None
                or right is None
                or (left[0], right[0]) != (2 * index, 2 * index + 1)
                or merkle.node_hash(bytes.fromhex(left[1]), bytes.fromhex(right[1])).hex() != h
            ):
                return f"the tree's node {level}/{checked} is not the hash of its two halves"
            checked += 1
        if checked < width:
            return f"the tree has no node {level}/{checked}"
        level, width = level + 1, width // 2
    return None


def check_checkpoints(verifier: notes.Verifier) -> str | None:
    """Every checkpoint signed by the record's key and naming the root its size has in the tree."""
    for cp in Checkpoint.objects.order_by("size").iterator(1000):
        try:
            note = notes.parse(cp.note)
            body = notes.parse_checkpoint(note.text)
        except notes.NoteError as exc:
            return f"checkpoint {cp.size} is not a well-formed signed note ({exc})"
        if note.signed_by(verifier) is None:
            return f"checkpoint {cp.size} is not signed by the record's key"
        if (body.size, body.root.hex(), body.origin) != (cp.size, cp.root, verifier.name):
            return f"checkpoint {cp.size} says something else than its signed note"
        if cp.size > size() or root(cp.size).hex() != cp.root:
            return f"the tree at size {cp.size} no longer has the root checkpoint {cp.size} signed"
    return None
