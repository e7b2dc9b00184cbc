from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Municipalities and seasons")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from uso_portal.security import apply_session_policy

        user_logged_in.connect(apply_session_policy, dispatch_uid="uso_session_policy")

        from .dashboard import Panel, register_panel
        from .renewal.selectors import offers_panel

        register_panel(Panel(5, "municipalities/renewal/panel.html", offers_panel))
