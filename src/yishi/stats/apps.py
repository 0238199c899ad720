from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "yishi.stats"
    verbose_name = _("Figures")

    def ready(self):
        from yishi import figures_hooks

        from . import receivers

        # The services call figures_hooks after each write that the figures count; this is what it does.
        figures_hooks.install(receivers.refresh_for)
