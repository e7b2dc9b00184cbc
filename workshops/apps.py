from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Development workshops")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel

        from . import selectors

        register_panel(Panel(15, "workshops/panel.html", selectors.dashboard_panel))
