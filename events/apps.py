from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel

        from . import selectors

        register_panel(Panel(20, "events/panel.html", selectors.dashboard_events_panel))
        register_panel(Panel(30, "events/news_panel.html", selectors.dashboard_news_panel))
