from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Situational analysis")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel

        from . import batches, selectors, tasks  # noqa: F401 - tasks: registers the resumable one

        batches.RUNNER.connect("analysis")
        register_panel(Panel(50, "analysis/panel.html", selectors.dashboard_panel))
