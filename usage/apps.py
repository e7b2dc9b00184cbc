from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    """What a season gives each member and what the member has used of it: the contact's
    entitlement panel, the staff's usage matrix and the members' season reports."""

    name = "usage"
    verbose_name = _("Season usage")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel

        from .dashboard import entitlement_panel

        register_panel(Panel(17, "usage/panel.html", entitlement_panel))
        from .reports import batches, tasks  # noqa: F401 - tasks: registers the resumable one

        batches.RUNNER.connect("season reports")
