"""The admin's history pages (django-simple-history) in a constant number of queries."""

from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """`SimpleHistoryAdmin` without a query per history record: use it for every model with
    `HistoricalRecords`."""

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
