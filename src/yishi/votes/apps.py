from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "yishi.votes"
    verbose_name = _("Votes")

    def ready(self):
        # Imported here: apps.py is read before the models queries.py needs. A region may set these rules.
        from yishi.regions.queries import declare_rules

        from .queries import region_rules

        declare_rules(region_rules)
