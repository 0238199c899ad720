from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yishi.audit"
    verbose_name = _("Audit")

    def ready(self):
        from .checks import signing_key

        checks.register(signing_key)
