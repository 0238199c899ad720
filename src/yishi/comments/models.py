"""Residents' comments on a matter, one level of replies, and the community's moderation of them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.matters.models import Matter

MAX_BODY = 1000
MAX_REASON = 500


class Comment(models.Model):
    """A comment on a matter, or a reply to one (``parent`` is then a top-level comment, never a reply).

    A hidden comment is kept: its trace (when, why) stays on the page; only moderators still read its text.
    """

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="comments", verbose_name=_("matter")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=MAX_BODY)
    # The role under which staff answered (committee, admin): their post is the community's answer.
    staff_role = models.CharField(_("answered as"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=MAX_REASON, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["matter", "parent", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hidden_at__isnull=True) | ~models.Q(hidden_reason=""),
                name="comment_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None
