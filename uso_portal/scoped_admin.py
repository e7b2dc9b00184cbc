"""The admin side of `municipalities/scoping.py`: the admin shows what the portal shows.

`ScopedAdminMixin` (in `ScopedAdmin`, the inlines below and `HistoryAdmin`) sends every query of
an admin through the models' one rule, `visible_to(request.user)`:

* the change list, its search, filters, date hierarchy, counts and actions, and the change,
  delete and history pages (`get_queryset`): another municipality's object "does not exist";
* the choices of foreign keys and many-to-many fields, autocompletes included
  (`get_field_queryset`; the autocomplete view asks the related model's admin, which is scoped
  itself), so a consultant cannot pick, or post the id of, another municipality's membership;
* list filters over a relation to a scoped model list only the related rows that occur in the
  scoped change list (`RelatedOnlyFieldListFilter`).

For a model without a rule the mixin changes nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter, RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist

from municipalities.scoping import is_scoped


class ScopedAdminMixin:
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_scoped(self.model):
            queryset = queryset.visible_to(request.user)
        return queryset

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        if is_scoped(related):
            if queryset is None:
                queryset = related._default_manager.using(db).all()
            queryset = queryset.visible_to(request.user)
        return queryset

    def get_list_filter(self, request):
        return [self._scoped_filter(spec) for spec in super().get_list_filter(request)]

    def _scoped_filter(self, spec):
        path, filter_class = (spec, None) if isinstance(spec, str) else spec
        if not isinstance(path, str) or filter_class not in (None, RelatedFieldListFilter):
            return spec
        try:
            field = get_fields_from_path(self.model, path)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return spec
        if field.is_relation and is_scoped(field.related_model):
            return (path, RelatedOnlyFieldListFilter)
        return spec


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    pass
