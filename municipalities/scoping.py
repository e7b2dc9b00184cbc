"""The one mechanism that scopes portal queries to the acting user's municipality.

Every model a municipal contact can reach uses `MunicipalityScopedQuerySet` and names the path
from itself to its municipality in `MUNICIPALITY_PATH`. Selectors call `.visible_to(user)`:

* a municipal contact sees the rows of their own municipality, nothing else;
* a staff user (network staff, consultant, finance) sees every row of a model they hold the
  `view` permission for;
* anybody else sees nothing.

Views then look objects up in the scoped queryset, so another municipality's object is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


def view_permission(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


class MunicipalityScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> MunicipalityScopedQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        municipality_id = getattr(user, "municipality_id", None)
        if municipality_id is not None:
            return self.filter(**{self.model.MUNICIPALITY_PATH: municipality_id})
        if user.has_perm(view_permission(self.model)):
            return self
        return self.none()

    def get_visible_or_404(self, user: User | AnonymousUser, **lookup) -> models.Model:
        try:
            return self.visible_to(user).get(**lookup)
        except self.model.DoesNotExist as error:
            raise Http404(f"No {self.model._meta.verbose_name} matches the query.") from error
