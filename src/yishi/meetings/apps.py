from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "yishi.meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Imported here: apps.py is read before the models rules.py needs. A region may set these rules.
        from yishi.regions.queries import declare_rules

        from .rules import region_rules

        declare_rules(region_rules)
