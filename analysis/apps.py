from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Situational analysis")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel
        from uso_portal import leases

        from . import batches, selectors

        leases.register_batches(
            "analysis", abandoned=batches.abandoned_batches, resume=batches.resume_abandoned
        )
        register_panel(Panel(50, "analysis/panel.html", selectors.dashboard_panel))
