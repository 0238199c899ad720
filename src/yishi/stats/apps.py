from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "yishi.stats"
    verbose_name = _("Figures")

    def ready(self):
        from django.db.models.signals import post_save

        from yishi.audit.models import AuditEntry

        from . import receivers

        post_save.connect(
            receivers.audit_entry_saved, sender=AuditEntry, dispatch_uid="stats.audit_entry_saved"
        )
