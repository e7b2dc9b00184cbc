"""The admin's history pages (django-simple-history) in a constant number of queries, scoped
like the change pages."""

from django.contrib.admin.utils import unquote
from simple_history.admin import SimpleHistoryAdmin

from municipalities.scoping import is_scoped, sees_all

from .scoped_admin import ScopedAdminMixin


class HistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """`SimpleHistoryAdmin` without a query per history record: use it for every model with
    `HistoricalRecords`.

    simple-history shows the history of an object that is not in `get_queryset` from its
    historical records (meant for deleted objects): for a scoped model that would show another
    municipality's history. Only users who see every row get that; others are told the object
    does not exist, as on its change page."""

    def _hidden(self, request, object_id) -> bool:
        if not is_scoped(self.model) or sees_all(request.user, self.model):
            return False
        return self.get_object(request, unquote(object_id)) is None

    def history_view(self, request, object_id, extra_context=None):
        if self._hidden(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._hidden(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # For a model without foreign keys, simple-history's select_related() of the tracked
        # foreign keys has no arguments and drops its own select_related("history_user").
        records = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return records.select_related("history_user")

    def render_history_view(self, request, template, context, **kwargs):
        # `record.history_object` is a new instance at every access, without the related
        # objects the history queryset selected: its __str__ ("Ylöjärvi – 2021-2022") would
        # query them once per record. Hand it the selected ones and keep it.
        for record in context["page_obj"].object_list:
            obj = record.history_object
            for field in obj._meta.concrete_fields:
                if field.is_relation and field.name in record._state.fields_cache:
                    field.set_cached_value(obj, record._state.fields_cache[field.name])
            record.history_object = obj
        return super().render_history_view(request, template, context, **kwargs)
