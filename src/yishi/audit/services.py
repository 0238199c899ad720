"""Appending to the audit chain and verifying it."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from yishi.people.actors import Actor

from . import signing, tree
from .actions import Action
from .chain import actor_ref, canonical_json, entry_hash, personal_digest
from .models import GENESIS_HASH, AuditEntry, AuditHead


def actor_ref_for(person) -> str:
    """The pseudonym under which ``person``'s actions appear in the chain ("" for the system)."""
    if person is None or not person.is_authenticated:
        return ""
    return actor_ref(settings.AUDIT_KEY, person.pk)


def _locked_head() -> AuditHead:
    """The chain head, locked until the caller's transaction ends; created on the first append.

    Two first appends may race: the insert that loses is ignored (on PostgreSQL it waits for the winner
    to commit), and both then lock the one row, so the chain cannot fork or fail at its start.
    """
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    actor: Actor,
    action: Action,
    target: models.Model,
    data: dict | None = None,
    personal: dict | None = None,
) -> AuditEntry:
    """Append one entry for a state change. Must run inside the transaction that makes the change.

    ``action`` is a member of ``Action``, never a string: a misspelt action fails here, not on the public page.
    ``data`` is stored in clear and must hold nothing personal; ``personal`` is kept only as a keyed digest.
    """
    if not isinstance(action, Action):
        raise TypeError(f"audit.record needs an audit.actions.Action member, not {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction that changes the state")
    head = _locked_head()
    fields = {
        "seq": head.last_seq + 1,
        "at": timezone.now(),
        "actor_ref": actor_ref_for(actor),
        "action": action.value,
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        # Stored exactly as hashed: a Decimal or a date becomes the string the hash was computed over.
        "data": json.loads(canonical_json(data or {})),
        "personal_digest": personal_digest(settings.AUDIT_KEY, personal),
        "prev_hash": head.last_hash,
    }
    entry = AuditEntry(**fields, hash=entry_hash(**fields))
    entry.save()
    AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    # Into the tree once committed, unless a sequencer is at it already; one that fails is logged and the
    # next write or the sequencer (yishi sequence-record) catches up: the change itself has been made.
    transaction.on_commit(_sequence_soon, robust=True)
    return entry


def _sequence_soon() -> None:
    tree.extend(wait=False)


@dataclass(frozen=True)
class Break:
    seq: int | None  # None: the tree or a checkpoint, not one entry
    reason: str

    def __str__(self) -> str:
        return self.reason if self.seq is None else f"entry #{self.seq}: {self.reason}"


_HASHED_FIELDS = (
    "seq",
    "at",
    "actor_ref",
    "action",
    "target_type",
    "target_id",
    "data",
    "personal_digest",
    "prev_hash",
)


def _head() -> tuple[int, str]:
    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    return head if head is not None else (0, GENESIS_HASH)


def verify(batch_size: int = 5000) -> Break | None:
    """Check the chain, then the tree and the signed checkpoints; the first break, or None when all is whole."""
    broken = verify_chain(batch_size)
    if broken is not None:
        return broken
    problem = tree.check(tree.size()) or tree.check_checkpoints(signing.log_verifier())
    return None if problem is None else Break(None, problem)


def verify_chain(batch_size: int = 5000) -> Break | None:
    """Walk the chain from the start; return the first broken entry, or None when it is whole.

    The head is read before the walk: every entry up to it was committed together with it, so entries
    appended while the walk runs are never mistaken for a break.
    """
    head_seq, head_hash = _head()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    entries = AuditEntry.objects.order_by("seq").values(*_HASHED_FIELDS, "hash")
    for row in entries.iterator(chunk_size=batch_size):
        stored_hash = row.pop("hash")
        if row["seq"] != expected_seq:
            return Break(expected_seq, f"missing (the next entry present is #{row['seq']})")
        if entry_hash(**row) != stored_hash:
            return Break(row["seq"], "its content does not match its hash (edited)")
        if row["prev_hash"] != prev_hash:
            if row["seq"] == 1:
                return Break(1, "does not start from the genesis hash")
            # This entry is whole, but was sealed over another hash of its predecessor.
            reason = f"its hash is not the one entry #{row['seq']} was sealed with (one was rewritten)"
            return Break(row["seq"] - 1, reason)
        if row["seq"] == head_seq and stored_hash != head_hash:
            return Break(row["seq"], "its hash is not the one the chain head recorded (rewritten)")
        prev_hash = stored_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq < head_seq:
        return Break(expected_seq, f"missing (the chain head records #{head_seq})")
    if last_seq > head_seq:
        # Entries past the head read at the start: appended since, or slipped in around record().
        now_seq, now_hash = _head()
        if now_seq < last_seq:
            return Break(now_seq + 1, f"not recorded in the chain head, which ends at #{now_seq} (inserted)")
        if now_seq == last_seq and now_hash != prev_hash:
            return Break(last_seq, "its hash is not the one the chain head recorded (rewritten)")
    return None


VERIFY_CACHE_SECONDS = 600


def verify_recent() -> Break | None:
    """``verify()`` for the public page and API, reused for ten minutes while the chain's head is unchanged.

    A full walk reads every entry; anyone can ask for it, so it must not be one request away from
    reading the whole log again. The ``verify-audit`` command always walks the whole chain.
    """
    from django.core.cache import cache

    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first() or (0, GENESIS_HASH)
    key = f"yishi:audit-verify:{head[0]}:{head[1]}"
    cached = cache.get(key)
    if cached is not None:
        return None if cached == "intact" else Break(*cached)
    broken = verify()
    cache.set(key, "intact" if broken is None else (broken.seq, broken.reason), VERIFY_CACHE_SECONDS)
    return broken
