"""The one access rule per model: who sees which municipality's rows, in the portal and the admin.

Every model that belongs to a municipality names the path from itself to its municipality in
`MUNICIPALITY_PATH`, uses `MunicipalityScopedQuerySet` as its manager and has one `Rule` in `RULES`
below. Selectors, views, exports, every `ModelAdmin.get_queryset`, the admin's foreign-key choices
and autocompletes all call `Model.objects.visible_to(user)`; nothing filters by municipality by
hand, so the portal and the admin cannot disagree. `visible_to(user)` knows the roles:

* **a municipal contact** (`User.municipality` set) sees the rows of their own municipality
  (of invoices, only the issued ones), nothing else;
* **a staff user** first needs the model's `view` permission (the roles' permissions are granted
  by the apps' migrations, see `roles.py`). Then:

  - with the rule's *see-all* permission (`municipalities.view_all_municipalities`: network staff
    and finance; for workshops `workshops.view_all_workshops`: network staff) every row;
  - master data (no see-all permission in the rule) every row with the view permission alone;
  - otherwise (consultants) the rows of the municipalities they are responsible for: the row's
    membership's `responsible_consultant` (and for workshops also the workshop's own), or, for
    rows linked to a municipality only, any membership of that municipality they are
    responsible for; plus the rows they recorded, uploaded or wrote themselves;
* superusers have every permission, so they see every row; anybody else sees nothing.

| model | contact | consultant (with the view permission) | see-all permission |
|---|---|---|---|
| Municipality, PopulationFigure | own | every row (master data) | – |
| Membership | own | of which they are responsible consultant | view_all_municipalities |
| ContactPerson | own | municipalities responsible for | view_all_municipalities |
| Offer, OfferFee | own | municipalities responsible for | view_all_municipalities |
| InvoicingDetailsConfirmation | own | municipalities responsible for | view_all_municipalities |
| Registration | own | municipalities responsible for; theirs | view_all_municipalities |
| CalendarFeed | own | (no permission) | view_all_municipalities |
| Workshop | own | responsible for it or its membership | view_all_workshops |
| WorkshopTransition, Deliverable, Comment | own | as their workshop; theirs | view_all_workshops |
| QuotaGrant | own | (no permission) | view_all_workshops |
| TravelCost | own | of the membership; recorded by them | view_all_municipalities |
| Invoice, InvoiceLine | own, issued | (no permission) | view_all_municipalities |
| IndicatorValue (the analyses) | own | municipalities responsible for | view_all_municipalities |
| Report (analysis report PDFs) | own | municipalities responsible for | view_all_municipalities |
| SeasonReport (season reports) | own | memberships responsible for | view_all_municipalities |
| Survey, Response (feedback) | own workshops' | of it or its workshop | view_all_municipalities |
| Invitation (feedback) | own | (no permission) | view_all_municipalities |

("theirs": the rows they registered, recorded, uploaded or wrote; "no permission": the
consultant role has no view permission of the model, so the rule's consultant part is unused.)

Not scoped, by permission only: seasons, themes, events and their materials, announcements,
fee schedules, VAT rates, the seller, invoice series and billing batches (network-wide data), and
users (network staff manage logins). Aggregates (seat counts, quota use, the analysis' network
medians and ranks) are computed over every municipality; only the rows shown are scoped.

Views look single objects up in the scoped queryset (`get_visible_or_404`), so another
municipality's object is a 404 in the portal and "does not exist" in the admin.
`tests/test_visibility.py` asserts, from one table, which persona sees which objects on every list
page and admin change list, and fails when a model reaching a municipality has no rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

SEE_ALL_MUNICIPALITIES = "municipalities.view_all_municipalities"
SEE_ALL_WORKSHOPS = "workshops.view_all_workshops"
ISSUED = ~Q(status="draft")  # billing.InvoiceStatus.DRAFT: a contact never sees a draft


@dataclass(frozen=True)
class Rule:
    """Who sees a model's rows beyond their own municipality's contacts."""

    # The permission to see every municipality's rows; None: master data, the view permission
    # is enough.
    see_all: str | None = SEE_ALL_MUNICIPALITIES
    # Paths to the consultants responsible for a row; empty: the consultant is responsible for
    # the row's municipality through any of its memberships.
    responsible: tuple[str, ...] = ()
    # Paths to the user who recorded, uploaded or wrote the row: they keep seeing it.
    recorded_by: tuple[str, ...] = ()
    # What a contact sees of their own municipality's rows (None: all of them).
    contacts: Q | None = None


_WORKSHOP = ("membership__responsible_consultant", "responsible_consultant")
_OF_WORKSHOP = tuple(f"workshop__{path}" for path in _WORKSHOP)
_SURVEY = ("responsible_consultant", *_OF_WORKSHOP)

RULES: dict[str, Rule] = {
    "municipalities.Municipality": Rule(see_all=None),
    "municipalities.PopulationFigure": Rule(see_all=None),
    "municipalities.Membership": Rule(responsible=("responsible_consultant",)),
    "municipalities.ContactPerson": Rule(),
    "municipalities.Offer": Rule(),
    "municipalities.OfferFee": Rule(),
    "municipalities.InvoicingDetailsConfirmation": Rule(),
    "events.Registration": Rule(recorded_by=("registered_by",)),
    "events.CalendarFeed": Rule(),
    "workshops.Workshop": Rule(see_all=SEE_ALL_WORKSHOPS, responsible=_WORKSHOP),
    "workshops.WorkshopTransition": Rule(
        see_all=SEE_ALL_WORKSHOPS, responsible=_OF_WORKSHOP, recorded_by=("by",)
    ),
    "workshops.Deliverable": Rule(
        see_all=SEE_ALL_WORKSHOPS, responsible=_OF_WORKSHOP, recorded_by=("uploaded_by",)
    ),
    "workshops.Comment": Rule(
        see_all=SEE_ALL_WORKSHOPS, responsible=_OF_WORKSHOP, recorded_by=("author",)
    ),
    "workshops.QuotaGrant": Rule(
        see_all=SEE_ALL_WORKSHOPS,
        responsible=("membership__responsible_consultant",),
        recorded_by=("granted_by",),
    ),
    "billing.TravelCost": Rule(
        responsible=("membership__responsible_consultant",), recorded_by=("recorded_by",)
    ),
    "billing.Invoice": Rule(responsible=("membership__responsible_consultant",), contacts=ISSUED),
    "billing.InvoiceLine": Rule(
        responsible=("invoice__membership__responsible_consultant",),
        contacts=~Q(invoice__status="draft"),
    ),
    "analysis.IndicatorValue": Rule(),
    "analysis.Report": Rule(),
    "usage.SeasonReport": Rule(responsible=("membership__responsible_consultant",)),
    # Feedback: an event's survey has no municipality (network staff and its consultant only).
    "feedback.Survey": Rule(responsible=_SURVEY),
    "feedback.Invitation": Rule(),
    "feedback.Response": Rule(responsible=tuple(f"survey__{path}" for path in _SURVEY)),
}


def view_permission(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def is_scoped(model: type[models.Model]) -> bool:
    return model._meta.label in RULES


def rule_for(model: type[models.Model]) -> Rule:
    try:
        return RULES[model._meta.label]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} has MUNICIPALITY_PATH but no rule in municipalities.scoping.RULES"
        ) from None


def _is_contact(user) -> bool:
    return getattr(user, "municipality_id", None) is not None


def may_view(user, model: type[models.Model]) -> bool:
    """An active staff-side user (not a contact) with the model's view permission."""
    return (
        user.is_authenticated
        and user.is_active
        and not _is_contact(user)
        and user.has_perm(view_permission(model))
    )


def sees_all(user: User | AnonymousUser, model: type[models.Model]) -> bool:
    """Every municipality's rows of `model` (network staff, finance, superusers)."""
    if not may_view(user, model):
        return False
    rule = rule_for(model)
    return rule.see_all is None or user.has_perm(rule.see_all)


def responsible_municipalities(user) -> models.QuerySet:
    """Ids of the municipalities with a membership the user is responsible consultant of."""
    Membership = apps.get_model("municipalities", "Membership")
    return Membership.objects.filter(responsible_consultant=user).values("municipality_id")


def _consultant_rows(model: type[models.Model], user) -> Q:
    rule = rule_for(model)
    if rule.responsible:
        responsible = [Q(**{path: user}) for path in rule.responsible]
    else:
        responsible = [Q(**{f"{model.MUNICIPALITY_PATH}__in": responsible_municipalities(user)})]
    recorded = [Q(**{path: user}) for path in rule.recorded_by]
    return reduce(or_, [*responsible, *recorded])


def _value_at(obj: models.Model, path: str):
    """The value at a lookup path on one object (`membership__responsible_consultant` → the
    id of `obj.membership.responsible_consultant`), for checks that need no query."""
    *relations, last = path.split("__")
    for name in relations:
        obj = getattr(obj, name)
        if obj is None:
            return None
    field = obj._meta.get_field(last)
    return getattr(obj, field.attname)


def is_responsible_for(user, obj: models.Model) -> bool:
    """Whether `user` is a responsible consultant of `obj` under its model's rule (in memory for
    rules with responsible paths, one query for rules by municipality)."""
    rule = rule_for(type(obj))
    if not user.is_authenticated or user.pk is None:
        return False
    if rule.responsible:
        return any(_value_at(obj, path) == user.pk for path in rule.responsible)
    municipality_id = _value_at(obj, obj.MUNICIPALITY_PATH)
    return responsible_municipalities(user).filter(municipality_id=municipality_id).exists()


def municipalities_visible_to(user, model: type[models.Model]) -> models.QuerySet:
    """Ids of the municipalities whose rows of `model` the user sees, for pages about a
    municipality as a whole (the analysis): own, responsible for, or all."""
    Municipality = apps.get_model("municipalities", "Municipality")
    ids = Municipality.objects.values("pk")
    if not user.is_authenticated or not user.is_active:
        return ids.none()
    if _is_contact(user):
        return ids.filter(pk=user.municipality_id)
    if not may_view(user, model):
        return ids.none()
    if sees_all(user, model):
        return ids
    return ids.filter(pk__in=responsible_municipalities(user))


class MunicipalityScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> MunicipalityScopedQuerySet:
        """The rows `user` may see, by the model's rule (see the module docstring)."""
        rule = rule_for(self.model)
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if _is_contact(user):
            rows = self.filter(**{self.model.MUNICIPALITY_PATH: user.municipality_id})
            return rows.filter(rule.contacts) if rule.contacts is not None else rows
        if not may_view(user, self.model):
            return self.none()
        if sees_all(user, self.model):
            return self.all()
        return self.filter(_consultant_rows(self.model, user))

    def get_visible_or_404(self, user: User | AnonymousUser, **lookup) -> models.Model:
        try:
            return self.visible_to(user).get(**lookup)
        except self.model.DoesNotExist as error:
            raise Http404(f"No {self.model._meta.verbose_name} matches the query.") from error
