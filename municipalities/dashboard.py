"""Panels of the municipal contact's dashboard.

`municipalities` imports no other app, so the apps that add to the dashboard (events,
workshops, billing, analysis) register a panel in their `AppConfig.ready()`:

    dashboard.register_panel(Panel(order=20, template="events/panel.html", context=events_panel))

A panel's context function receives the acting user and the municipality's current membership
(or None) and returns the template context, or None to hide the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Membership, User


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable[[User, Membership | None], dict | None]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict


_panels: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if panel.template not in {registered.template for registered in _panels}:
        _panels.append(panel)
        _panels.sort(key=lambda registered: registered.order)


def panels_for(user: User, membership: Membership | None) -> list[RenderedPanel]:
    rendered = []
    for panel in _panels:
        context = panel.context(user, membership)
        if context is not None:
            rendered.append(RenderedPanel(panel.template, context))
    return rendered


def shared(membership: Membership, key: str, compute: Callable[[], object]):
    """A value several panels need, computed once per dashboard request: kept on the
    membership, which the dashboard fetches afresh for every request."""
    values = membership.__dict__.setdefault("_dashboard_shared", {})
    if key not in values:
        values[key] = compute()
    return values[key]
