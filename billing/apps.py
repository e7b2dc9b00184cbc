from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel

        from . import selectors, tasks  # noqa: F401 - tasks: registers the resumable ones

        register_panel(Panel(40, "billing/panel.html", selectors.dashboard_panel))
