"""Pure hashing of audit entries: no database, so anyone can re-implement and check it."""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def hashed_time(at: datetime) -> str:
    """A time as every hash of the record holds it: UTC, ISO 8601, six decimals of seconds."""
    if at.tzinfo is None or at.utcoffset() is None:
        # A naive time would be read in the checking machine's own zone: the same entry, different hashes.
        raise ValueError("the record hashes aware datetimes only")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_ref: str,
    action: str,
    target_type: str,
    target_id: str,
    data: dict,
    personal_digest: str,
    prev_hash: str,
) -> str:
    body = canonical_json(
        [
            seq,
            hashed_time(at),
            actor_ref,
            action,
            target_type,
            target_id,
            data,
            personal_digest,
            prev_hash,
        ]
    )
    return hashlib.sha256(body.encode()).hexdigest()


ENTRY_FORMAT = "yishi-record-entry/1"


def entry_bytes(
    *,
    at: datetime,
    actor_ref: str,
    action: str,
    target_type: str,
    target_id: str,
    data: dict,
    personal_digest: str,
) -> bytes:
    """What a leaf of the record's tree hashes: the entry's public fields as canonical JSON (docs/record.md).

    Not its place in the log: an entry is written before the log gives it its index, and the tree's
    shape already fixes the order.
    """
    return canonical_json(
        {
            "format": ENTRY_FORMAT,
            "at": hashed_time(at),
            "actor": actor_ref,
            "action": action,
            "target": [target_type, target_id],
            "data": data,
            "personal": personal_digest,
        }
    ).encode()


def personal_digest(key: str, personal: dict | None) -> str:
    """A keyed digest: a plain hash of a phone number could be reversed by trying every number."""
    if not personal:
        return ""
    return hmac.new(key.encode(), canonical_json(personal).encode(), hashlib.sha256).hexdigest()


def actor_ref(key: str, person_id: int | None) -> str:
    if person_id is None:
        return ""
    return hmac.new(key.encode(), f"person:{person_id}".encode(), hashlib.sha256).hexdigest()[:32]
