"""Appending to the audit chain and verifying it."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .chain import actor_ref, entry_hash, personal_digest
from .models import GENESIS_HASH, AuditEntry, AuditHead


def actor_ref_for(person) -> str:
    """The pseudonym under which ``person``'s actions appear in the chain ("" for the system)."""
    if person is None or not person.is_authenticated:
        return ""
    return actor_ref(settings.AUDIT_KEY, person.pk)


def record(*, actor, action: str, target: models.Model, data: dict | None = None, personal: dict | None = None):
    """Append one entry for a state change. Must run inside the transaction that makes the change.

    ``data`` is stored in clear and must hold nothing personal; ``personal`` is kept only as a keyed digest.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction that changes the state")
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1)
    fields = {
        "seq": head.last_seq + 1,
        "at": timezone.now(),
        "actor_ref": actor_ref_for(actor),
        "action": action,
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "data": data or {},
        "personal_digest": personal_digest(settings.AUDIT_KEY, personal),
        "prev_hash": head.last_hash,
    }
    entry = AuditEntry(**fields, hash=entry_hash(**fields))
    entry.save()
    AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry #{self.seq}: {self.reason}"


def verify(batch_size: int = 5000) -> Break | None:
    """Walk the chain from the start; return the first broken entry, or None when it is whole."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    entries = AuditEntry.objects.order_by("seq").values(
        "seq", "at", "actor_ref", "action", "target_type", "target_id", "data", "personal_digest", "prev_hash", "hash"
    )
    for row in entries.iterator(chunk_size=batch_size):
        stored_hash = row.pop("hash")
        if row["seq"] != expected_seq:
            return Break(expected_seq, f"missing (the next entry present is #{row['seq']})")
        if row["prev_hash"] != prev_hash:
            return Break(row["seq"], "does not follow the previous entry's hash")
        if entry_hash(**row) != stored_hash:
            return Break(row["seq"], "its content does not match its hash (edited)")
        prev_hash = stored_hash
        expected_seq += 1
    head = AuditHead.objects.filter(pk=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if last_seq != expected_seq - 1 or last_hash != prev_hash:
        return Break(expected_seq, f"missing (the chain head records #{last_seq})")
    return None
