from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Situational analysis")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from municipalities.dashboard import Panel, register_panel
        from uso_portal import leases

        from . import batches, selectors, tasks  # noqa: F401 - tasks: registers the resumable one
        from .batch_models import Report

        leases.register_batches(
            "analysis", abandoned=batches.abandoned_batches, resume=batches.resume_abandoned
        )
        post_delete.connect(batches.report_deleted, sender=Report, dispatch_uid="report_file")
        register_panel(Panel(50, "analysis/panel.html", selectors.dashboard_panel))
