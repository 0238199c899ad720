"""Where a published thing stands in the record: its entry, and the signed checkpoint it was published under.

Printed on paper (in the QR link and in words), so that a resident holding the paper can later ask the record
whether the paper's notice is the one it holds, and an auditor can check the same with ``scripts/verify-log``.
"""

import base64
import binascii
from dataclasses import dataclass

from django.db import models

from . import merkle, tree
from .actions import Action
from .models import AuditEntry, Checkpoint


@dataclass(frozen=True)
class Recorded:
    seq: int  # the entry's number; its leaf is seq - 1
    size: int  # the first signed checkpoint that holds it
    root: bytes

    @property
    def token(self) -> str:
        """``size.root`` for a link: the root in URL-safe base64, without padding."""
        return f"{self.size}.{base64.urlsafe_b64encode(self.root).decode().rstrip('=')}"

    @property
    def root_start(self) -> str:
        return self.root.hex()[:12]


def recorded(target: models.Model, action: Action) -> Recorded | None:
    """The entry recording ``action`` on ``target`` and the first checkpoint that holds it; None until one does."""
    seq = (
        AuditEntry.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk), action=action.value
        )
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    return None if seq is None else holding(seq)


def holding(seq: int) -> Recorded | None:
    """Entry ``seq`` with the first signed checkpoint that holds it; None until one does."""
    checkpoint = Checkpoint.objects.filter(size__gte=seq).order_by("size").values_list("size", "root").first()
    if checkpoint is None:
        return None
    return Recorded(seq, checkpoint[0], bytes.fromhex(checkpoint[1]))


def parse_token(token: str) -> tuple[int, bytes] | None:
    size, _, encoded = token.partition(".")
    if not size.isdigit() or len(size) > 18 or len(encoded) != 43:
        return None
    try:
        root = base64.urlsafe_b64decode(encoded + "=")
    except (binascii.Error, ValueError):
        return None
    return int(size), root


@dataclass(frozen=True)
class PaperCheck:
    seq: int
    size: int
    signed: bool  # the record signed a checkpoint of this size with this root
    included: bool  # and the entry's leaf is in that tree


def check_paper(target: models.Model, action: Action, token: str) -> PaperCheck | None:
    """What the record says of a paper's ``size.root``: did it sign that checkpoint, and does it hold the entry."""
    given = parse_token(token)
    entry = (
        AuditEntry.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk), action=action.value
        )
        .order_by("seq")
        .values("seq", *tree.LEAF_FIELDS)
        .first()
    )
    if given is None or entry is None:
        return None
    size, root = given
    signed = Checkpoint.objects.filter(size=size, root=root.hex()).exists()
    included = False
    if signed and entry["seq"] <= size <= tree.size():
        proof = tree.inclusion_proof(entry["seq"] - 1, size)
        included = merkle.verify_inclusion(tree.entry_leaf(entry), entry["seq"] - 1, size, proof, root)
    return PaperCheck(entry["seq"], size, signed, included)
