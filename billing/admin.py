from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uso_portal.history import HistoryAdmin
from uso_portal.scoped_admin import ScopedAdmin, ScopedTabularInline
from uso_portal.uploads import PrivateFileInput

from . import selectors, services
from .exports import MissingDocuments, export_files, zip_bytes
from .models import (
    BatchStatus,
    BillingBatch,
    FeeSchedule,
    FeeTier,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    InvoiceStatus,
    SellerSettings,
    SendChannel,
    TravelCost,
    TravelCostStatus,
    VatRate,
)
from .services import deletion
from .services.batches import batch_resume, batch_start, render_batch_start

INCLUSIVE_NOTE = _(
    "Bounds are inclusive. With the tiers 0–8 999, 9 000–45 000 and 45 001–, a municipality of "
    "exactly 9 000 or exactly 45 000 inhabitants pays the middle fee. The fee for year Y uses the "
    "official population on 31 December of Y−1. The schedule is frozen once the season's first "
    "invoice is issued."
)


class DeletesThroughService:
    """Every delete of the admin (the object's page, "Delete selected") goes through a service;
    the rows it would refuse are listed as protected on the confirmation page, so none is
    deleted and the page says why."""

    delete_select_related: tuple[str, ...] = ()

    def delete_problem(self, obj) -> str | None:
        raise NotImplementedError

    def delete_with_service(self, obj) -> None:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if isinstance(objs, QuerySet) and self.delete_select_related:
            objs = objs.select_related(*self.delete_select_related)
        problems = [problem for obj in objs if (problem := self.delete_problem(obj))]
        return deleted, model_count, perms_needed, [*protected, *problems]

    def delete_model(self, request, obj) -> None:
        self.delete_with_service(obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset.select_related(*self.delete_select_related):
            self.delete_with_service(obj)


@admin.register(SellerSettings)
class SellerSettingsAdmin(HistoryAdmin):
    list_display = ["name", "business_id", "iban", "payment_term_days"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not SellerSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VatRate)
class VatRateAdmin(DeletesThroughService, admin.ModelAdmin):
    """Dated data: a rate that issued invoices used stays as it is (a new rate gets a row)."""

    list_display = ["valid_from", "rate"]

    def delete_problem(self, rate: VatRate) -> str | None:
        return deletion.vat_rate_delete_problem(rate)

    def delete_with_service(self, rate: VatRate) -> None:
        services.vat_rate_delete(rate=rate)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and deletion.vat_rate_in_use(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and deletion.vat_rate_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)


class FeeTierFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return  # the rows' own errors are shown first
        tiers = [
            (form.cleaned_data["min_population"], form.cleaned_data.get("max_population"))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        services.check_tiers(tiers)


class FeeTierInline(admin.TabularInline):
    model = FeeTier
    formset = FeeTierFormSet
    extra = 0
    fields = ["min_population", "max_population", "annual_fee"]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(DeletesThroughService, HistoryAdmin):
    list_display = ["season", "amounts_exclude_vat", "tiers_text", "locked"]
    list_select_related = ["season"]
    inlines = [FeeTierInline]
    delete_select_related = ("season",)
    fieldsets = [
        (None, {"fields": ["season", "amounts_exclude_vat"], "description": INCLUSIVE_NOTE})
    ]

    def get_queryset(self, request):
        schedules = super().get_queryset(request).prefetch_related("tiers")
        return selectors.fee_schedule_list_with_lock(schedules)

    @admin.display(description=_("tiers"))
    def tiers_text(self, schedule: FeeSchedule) -> str:
        return "; ".join(f"{tier.label}: {tier.annual_fee} €" for tier in schedule.tiers.all())

    @admin.display(description=_("frozen"), boolean=True)
    def locked(self, schedule: FeeSchedule) -> bool:
        return schedule.is_locked

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and services.schedule_is_locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and services.schedule_is_locked(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_problem(self, schedule: FeeSchedule) -> str | None:
        return deletion.fee_schedule_delete_problem(schedule)

    def delete_with_service(self, schedule: FeeSchedule) -> None:
        services.fee_schedule_delete(schedule=schedule)


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["code", "prefix", "width", "next_number"]
    readonly_fields = ["next_number"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Invoice.objects.filter(series=obj).exists():
            return ["code", "prefix", "width", "next_number"]  # the numbers already given
        return self.readonly_fields

    def delete_problem(self, series: InvoiceSeries) -> str | None:
        return deletion.series_delete_problem(series)

    def delete_with_service(self, series: InvoiceSeries) -> None:
        services.series_delete(series=series)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and deletion.series_delete_problem(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(TravelCost)
class TravelCostAdmin(HistoryAdmin):
    list_display = ["date", "traveller", "description", "membership", "net_amount", "status"]
    list_select_related = ["membership__municipality", "membership__season"]
    list_filter = ["status", "membership__season", "date"]
    search_fields = ["traveller", "description", "membership__municipality__name_fi"]
    autocomplete_fields = ["membership", "workshop", "event"]
    readonly_fields = ["status", "recorded_by", "approved_by", "approved_at"]
    formfield_overrides = {models.FileField: {"widget": PrivateFileInput}}
    actions = ["approve", "invoice_now"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != TravelCostStatus.RECORDED:
            return [field.name for field in TravelCost._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Approve the selected travel costs"), permissions=["change"])
    def approve(self, request, queryset) -> None:
        approved = 0
        costs = queryset.filter(status=TravelCostStatus.RECORDED).select_related(
            "membership__season"
        )
        for cost in costs:
            try:
                services.travel_cost_approve(cost=cost, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{cost}: {' '.join(error.messages)}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, _("%(count)d approved.") % {"count": approved})

    @admin.action(description=_("Invoice approved travel costs now"), permissions=["change"])
    def invoice_now(self, request, queryset):
        issued = []
        for membership in {cost.membership for cost in queryset.select_related("membership")}:
            services.travel_cost_drafts(membership=membership)
            drafts = Invoice.objects.filter(
                membership=membership, kind="travel_costs", status="draft"
            )
            for draft in drafts:
                try:
                    issued.append(services.invoice_issue(invoice=draft, actor=request.user))
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
        self.message_user(
            request, _("%(count)d travel-cost invoice(s) issued.") % {"count": len(issued)}
        )
        return render_in_background(self, request, issued)


def render_in_background(model_admin, request, invoices: list[Invoice | int]):
    """Hand the rendering of issued invoices' documents to the task worker; the response is
    the batch's progress page (never rendering in the request)."""
    if not invoices:
        return None
    ids = [getattr(invoice, "pk", invoice) for invoice in invoices]
    batch = render_batch_start(invoice_ids=ids, actor=request.user)
    return HttpResponseRedirect(reverse("billing:batch_progress", args=[batch.pk]))


class InvoiceLineFormSet(forms.BaseInlineFormSet):
    def delete_existing(self, obj, commit=True) -> None:
        """A deleted line's travel cost becomes "approved" again (a service)."""
        if commit:
            services.invoice_line_delete(line=obj)


class InvoiceLineInline(ScopedTabularInline):
    model = InvoiceLine
    formset = InvoiceLineFormSet
    extra = 0
    fields = [
        "position",
        "description",
        "details",
        "quantity",
        "unit",
        "unit_price",
        "net",
        "vat_rate",
        "vat_exemption_reason",
        "supply_date",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_draft

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_draft


@admin.register(Invoice)
class InvoiceAdmin(DeletesThroughService, HistoryAdmin):
    list_display = [
        "display_number",
        "kind",
        "municipality",
        "year",
        "status",
        "document_status",
        "gross_total",
        "invoice_date",
        "due_date",
        "documents",
    ]
    list_select_related = ["membership__municipality", "membership__season"]
    list_filter = ["membership__season", "year", "kind", "status", "document_status", "batch"]
    search_fields = [
        "number",
        "reference",
        "membership__municipality__name_fi",
        "membership__municipality__code",
    ]
    autocomplete_fields = ["membership"]
    inlines = [InvoiceLineInline]
    actions = [
        "issue",
        "issue_in_background",
        "export_zip",
        "credit",
        "mark_sent",
        "mark_paid",
        "retry_documents",
    ]
    readonly_fields = [
        "number", "invoice_date", "due_date", "reference", "rf_reference", "net_total",
        "vat_total", "gross_total", "issued_at", "issued_by", "document_status", "render_error",
        "pdf_sha256", "finvoice_sha256", "sent_on", "sent_channel", "paid_on", "paid_amount",
        "credited_invoice", "batch", "issue_error",
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return [
                field.name
                for field in Invoice._meta.fields
                if field.name not in ("pdf", "finvoice")
            ]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_draft)

    def delete_problem(self, invoice: Invoice) -> str | None:
        return deletion.invoice_delete_problem(invoice)

    def delete_with_service(self, invoice: Invoice) -> None:
        services.invoice_draft_delete(invoice=invoice)

    @admin.display(description=_("number"), ordering="number")
    def display_number(self, invoice: Invoice) -> str:
        return invoice.number or _("draft")

    @admin.display(description=_("municipality"), ordering="membership__municipality__name_fi")
    def municipality(self, invoice: Invoice) -> str:
        return invoice.membership.municipality.name_fi

    @admin.display(description=_("documents"))
    def documents(self, invoice: Invoice) -> str:
        if not invoice.pdf:
            return "–"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">Finvoice</a>',
            reverse("billing:invoice_pdf", args=[invoice.pk]),
            reverse("billing:invoice_finvoice", args=[invoice.pk]),
        )

    def _each(self, request, queryset, action, done_message) -> None:
        done = 0
        for invoice in queryset:
            try:
                action(invoice)
            except ValidationError as error:
                self.message_user(request, f"{invoice}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, done_message % {"count": done})

    @admin.action(description=_("Issue the selected drafts"), permissions=["change"])
    def issue(self, request, queryset):
        issued = []

        def issue_one(invoice):
            issued.append(services.invoice_issue(invoice=invoice, actor=request.user))

        self._each(
            request, queryset.filter(status=InvoiceStatus.DRAFT), issue_one, _("%(count)d issued.")
        )
        return render_in_background(self, request, issued)

    @admin.action(
        description=_(
            "Issue all drafts of the selected invoices' season and year in the background"
        ),
        permissions=["change"],
    )
    def issue_in_background(self, request, queryset):
        first = queryset.select_related("membership__season").first()
        batch = batch_start(season=first.membership.season, year=first.year, actor=request.user)
        return HttpResponseRedirect(reverse("billing:batch_progress", args=[batch.pk]))

    @admin.action(description=_("Export register, PDFs and Finvoice (ZIP)"), permissions=["view"])
    def export_zip(self, request, queryset) -> HttpResponse:
        issued = queryset.exclude(status=InvoiceStatus.DRAFT).select_related(
            "membership__municipality"
        )
        try:
            files = export_files(issued.order_by("number"))
        except MissingDocuments as missing:
            self.message_user(request, missing_documents_message(missing), messages.ERROR)
            return None
        response = HttpResponse(zip_bytes(files), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="invoices.zip"'
        return response

    @admin.action(
        description=_("Create a credit note (draft) of the selected invoices"),
        permissions=["change"],
    )
    def credit(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            lambda invoice: services.credit_note_create(original=invoice, actor=request.user),
            _("%(count)d credit note draft(s) created; issue them to send."),
        )

    @admin.action(description=_("Mark sent today as e-invoice"), permissions=["change"])
    def mark_sent(self, request, queryset) -> None:
        today = timezone.localdate()
        self._each(
            request,
            queryset,
            lambda invoice: services.invoice_mark_sent(
                invoice=invoice, on=today, channel=SendChannel.EINVOICE
            ),
            _("%(count)d marked sent."),
        )

    @admin.action(description=_("Mark paid today in full"), permissions=["change"])
    def mark_paid(self, request, queryset) -> None:
        today = timezone.localdate()
        self._each(
            request,
            queryset,
            lambda invoice: services.invoice_mark_paid(
                invoice=invoice, on=today, amount=invoice.gross_total
            ),
            _("%(count)d marked paid."),
        )

    @admin.action(description=_("Render missing or failed documents again"), permissions=["change"])
    def retry_documents(self, request, queryset):
        issued = list(queryset.exclude(status=InvoiceStatus.DRAFT).values_list("pk", flat=True))
        if not issued:
            self.message_user(
                request, _("Select issued invoices: drafts have no documents."), messages.WARNING
            )
            return None
        return render_in_background(self, request, issued)


def missing_documents_message(missing: MissingDocuments) -> str:
    return ngettext(
        "Nothing exported: the documents of %(count)d invoice are missing (%(invoices)s). "
        "Render them again first.",
        "Nothing exported: the documents of %(count)d invoices are missing (%(invoices)s). "
        "Render them again first.",
        len(missing.missing),
    ) % {"count": len(missing.missing), "invoices": "; ".join(missing.missing)}


@admin.register(InvoiceLine)
class InvoiceLineAdmin(DeletesThroughService, ScopedAdmin):
    list_display = ["invoice", "position", "description", "net", "vat_rate"]
    list_select_related = ["invoice"]
    search_fields = ["description", "invoice__number"]
    delete_select_related = ("invoice",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "invoice":  # lines are added to drafts only
            visible = Invoice.objects.visible_to(request.user)
            kwargs["queryset"] = visible.filter(status=InvoiceStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_problem(self, line: InvoiceLine) -> str | None:
        return deletion.line_delete_problem(line)

    def delete_with_service(self, line: InvoiceLine) -> None:
        services.invoice_line_delete(line=line)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _of_draft(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _of_draft(obj))


def _of_draft(line: InvoiceLine) -> bool:
    """By query, not through `line.invoice`: the delete page asks this of many lines at once."""
    return Invoice.objects.filter(pk=line.invoice_id, status=InvoiceStatus.DRAFT).exists()


@admin.register(BillingBatch)
class BillingBatchAdmin(admin.ModelAdmin):
    """Batches are the record of who issued what: never added or deleted here."""

    list_display = [
        "__str__",
        "kind",
        "status",
        "total",
        "issued",
        "rendered",
        "failed",
        "attempts",
        "created_at",
        "progress",
    ]
    list_select_related = ["season"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in BillingBatch._meta.fields]
    actions = ["resume"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resume_permission(self, request) -> bool:
        """Whoever issues invoices resumes their batches."""
        return request.user.has_perm("billing.change_invoice")

    @admin.action(
        description=_("Resume the selected batches (abandoned or failed)"), permissions=["resume"]
    )
    def resume(self, request, queryset) -> None:
        resumed = 0
        for batch in queryset.exclude(status=BatchStatus.FINISHED):
            try:
                batch_resume(batch=batch)
            except ValidationError as error:
                self.message_user(
                    request, f"#{batch.pk}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                resumed += 1
        self.message_user(request, _("%(count)d batch(es) queued again.") % {"count": resumed})

    @admin.display(description=_("progress"))
    def progress(self, batch: BillingBatch) -> str:
        url = reverse("billing:batch_progress", args=[batch.pk])
        return format_html('<a href="{}">{} %</a>', url, batch.progress_percent)


@admin.register(FeeTier)
class FeeTierAdmin(admin.ModelAdmin):
    """Read-only list: tiers are edited on their fee schedule, where the whole set is checked."""

    list_display = ["schedule", "min_population", "max_population", "annual_fee"]
    list_select_related = ["schedule__season"]
    list_filter = ["schedule__season"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
