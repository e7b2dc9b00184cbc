from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from municipalities.dashboard import Panel, register_panel
        from municipalities.renewal import hooks

        from . import selectors, services, tasks  # noqa: F401 - tasks: registers the resumable ones

        register_panel(Panel(40, "billing/panel.html", selectors.dashboard_panel))
        # renewal offers state the fee by billing's own rule; a new season carries the schedule
        hooks.register(
            fee_quote=services.offer_fee_quote, carry_over=services.fee_schedule_carry_over
        )
