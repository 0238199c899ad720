"""The hash-chained audit log (审计记录): one entry per state change, each carrying its predecessor's hash."""

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from yishi.append_only import AppendOnly

from .actions import action_label

GENESIS_HASH = "0" * 64


class AuditEntry(AppendOnly):
    # seq is assigned under a lock, one more than the last: a gap means a deleted entry. (Database ids
    # cannot serve: a PostgreSQL sequence skips numbers on every rolled-back insert.)
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"))
    # Who acted, as a keyed pseudonym: the public can verify the chain without learning who raised what
    # (a back-to-back submitter must never be traceable); staff find a person's entries with actor_ref_for().
    actor_ref = models.CharField(_("actor"), max_length=32, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object id"), max_length=64)
    # Facts that are not personal (ids, states, codes), readable by anyone who checks the chain.
    data = models.JSONField(_("data"), default=dict)
    # A keyed digest of the personal part of the change: proves what was recorded without revealing it.
    personal_digest = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"

    # What the public page shows. The raw ``action`` and ``target_type`` are what was hashed: a verifier
    # reads those (the API, the admin), never these words, which follow the translation.
    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def target_label(self) -> str:
        """The kind of object changed, in words (its model's name); the stored type when no model has it."""
        try:
            return str(apps.get_model(self.target_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.target_type


class AuditHead(models.Model):
    """One row: the last entry's sequence number and hash. Writers lock it, so the chain never forks."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash}"


class TreeNode(models.Model):
    """A complete subtree of the record's Merkle tree (RFC 9162): the leaves [index·2^level, (index+1)·2^level).

    Level 0 holds the leaf hashes, one per entry in sequence order. Only the sequencer writes here, and never
    changes a row: proofs are read from these, and ``verify`` recomputes every one from the entries.
    """

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("record tree node")
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="audit_treenode_place")]
        indexes = [models.Index(fields=["hash"], name="audit_treenode_leaf", condition=models.Q(level=0))]

    def __str__(self) -> str:
        return f"{self.level}/{self.index} {self.hash}"


class Checkpoint(AppendOnly):
    """A signed statement of the tree's size and root (a C2SP checkpoint in a signed note)."""

    size = models.PositiveBigIntegerField(_("size"), unique=True)
    root = models.CharField(_("root hash"), max_length=64)
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("signed note"))

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["size"]

    def __str__(self) -> str:
        return f"{self.size} {self.root}"


class Cosignature(AppendOnly):
    """A witness's statement that a checkpoint is consistent with every one it saw before (C2SP tlog-cosignature)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.CharField(_("witness"), max_length=200)
    key_id = models.CharField(max_length=8)
    line = models.TextField(_("signature line"))
    signed_at = models.DateTimeField(_("signed at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cosignature")
        verbose_name_plural = _("cosignatures")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness", "key_id"], name="audit_cosignature_once")
        ]

    def __str__(self) -> str:
        return f"{self.witness} @ {self.checkpoint.size}"
