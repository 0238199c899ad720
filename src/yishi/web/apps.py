from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "yishi.web"
    verbose_name = _("Web")

    def ready(self):
        # The matter page and the API's whole matter read every step app: composed here, on top, and handed to
        # matters, which the step apps build on (see yishi.matters.pages).
        from yishi.matters import pages

        from . import matter_api, matter_page

        pages.compose_with(page=matter_page.matter_context, detail=matter_api.detail)
