from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel

        from . import selectors

        register_panel(Panel(45, "feedback/panel.html", selectors.dashboard_feedback_panel))
