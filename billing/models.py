"""Billing: fee schedules, dated VAT rates, the seller, travel costs, invoices and their series.

An issued invoice is a frozen record: its number, dates, reference, snapshot (seller, buyer,
lines, totals) and lines never change and it is never deleted (`ImmutableInvoice`); only its
lifecycle (sent, paid, credited) and its stored documents move on. Corrections are credit notes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from municipalities.models import Membership, Season
from municipalities.scoping import MunicipalityScopedQuerySet
from municipalities.validators import validate_business_id, validate_operator_id, validate_ovt
from uso_portal.uploads import RECEIPTS, UploadValidator, get_private_storage

from .storage import get_document_storage
from .validators import validate_iban, validate_vat_id

MONEY = {"max_digits": 12, "decimal_places": 2}


class ImmutableInvoice(Exception):
    """An issued invoice (or its lines) was about to be changed or deleted."""


class SellerSettings(models.Model):
    """The invoicing party's details, printed on every invoice (one row, edited by staff)."""

    singleton = models.BooleanField(default=True, editable=False, unique=True)
    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID"), max_length=9, validators=[validate_business_id]
    )
    vat_id = models.CharField(_("VAT ID"), max_length=10, validators=[validate_vat_id])
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11)
    einvoice_address = models.CharField(
        _("e-invoice address"), max_length=17, blank=True, validators=[validate_ovt]
    )
    einvoice_operator = models.CharField(
        _("e-invoice operator ID"), max_length=17, blank=True, validators=[validate_operator_id]
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    payment_term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=21)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seller details")
        verbose_name_plural = _("seller details")

    def __str__(self) -> str:
        return self.name


class VatRate(models.Model):
    """The general VAT rate from a date on (dated data, never a constant)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=100), name="vat_rate_percentage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rate} % ({self.valid_from:%d.%m.%Y}–)"


class FeeSchedule(models.Model):
    """The annual participation fees of a season by population tier."""

    season = models.OneToOneField(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="fee_schedule"
    )
    amounts_exclude_vat = models.BooleanField(
        _("fees exclude VAT"),
        default=True,
        help_text=_("VAT is added on top of the tier fees."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")

    def __str__(self) -> str:
        return str(self.season)


class FeeTier(models.Model):
    """Population bounds (both inclusive) and the annual fee; no upper bound = and above."""

    schedule = models.ForeignKey(
        FeeSchedule, verbose_name=_("fee schedule"), on_delete=models.CASCADE, related_name="tiers"
    )
    min_population = models.PositiveIntegerField(_("population from"))
    max_population = models.PositiveIntegerField(
        _("population to"), null=True, blank=True, help_text=_("Inclusive. Empty: no upper bound.")
    )
    annual_fee = models.DecimalField(
        _("annual fee (EUR)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee tier")
        verbose_name_plural = _("fee tiers")
        ordering = ["schedule", "min_population"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_population__isnull=True)
                | Q(max_population__gte=models.F("min_population")),
                name="fee_tier_bounds_ordered",
                violation_error_message=_("The upper bound is not below the lower bound."),
            ),
            models.UniqueConstraint(
                fields=["schedule", "min_population"], name="fee_tier_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        low = f"{self.min_population:,}".replace(",", " ")
        if self.max_population is None:
            return f"{low}–"
        return f"{low}–{self.max_population:,}".replace(",", " ")

    def contains(self, population: int) -> bool:
        return self.min_population <= population and (
            self.max_population is None or population <= self.max_population
        )


class InvoiceSeries(models.Model):
    """A gapless numbering series; its counter row is locked while a number is allocated."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    prefix = models.CharField(_("number prefix (digits)"), max_length=6, blank=True)
    width = models.PositiveSmallIntegerField(_("digits after the prefix"), default=6)
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")
        constraints = [
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[0-9]*$"), name="invoice_series_prefix_digits"
            ),
            models.CheckConstraint(
                condition=Q(next_number__gte=1), name="invoice_series_next_positive"
            ),
            # the payment reference is the number plus a check digit: 4–20 digits (spec §1.1)
            models.CheckConstraint(
                condition=Q(
                    width__gte=Value(3) - Length("prefix"), width__lte=Value(19) - Length("prefix")
                ),
                name="invoice_series_number_fits_reference",
                violation_error_message=_(
                    "Prefix and digits together must be 3–19 digits long (the payment reference "
                    "is the number and a check digit)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"


class TravelCostStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    APPROVED = "approved", _("Approved")
    INVOICED = "invoiced", _("Invoiced")


class TravelCost(models.Model):
    """An expert's actual travel cost, billed to the municipality at net cost plus VAT."""

    MUNICIPALITY_PATH = "membership__municipality"

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="travel_costs",
    )
    workshop = models.ForeignKey(
        "workshops.Workshop",
        verbose_name=_("workshop"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="travel_costs",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="travel_costs",
    )
    date = models.DateField(_("travel date"))
    traveller = models.CharField(_("traveller"), max_length=200)
    description = models.CharField(_("description"), max_length=300)
    net_amount = models.DecimalField(
        _("net amount (EUR)"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The actual cost without the VAT the seller deducted."),
    )
    receipt = models.FileField(
        _("receipt"),
        upload_to="billing/receipts/%Y/",
        storage=get_private_storage,
        validators=[UploadValidator(RECEIPTS)],
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TravelCostStatus.choices,
        default=TravelCostStatus.RECORDED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("travel cost")
        verbose_name_plural = _("travel costs")
        ordering = ["membership", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(net_amount__gt=0), name="travel_cost_positive"),
            models.CheckConstraint(
                condition=Q(status="recorded")
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="travel_cost_approval_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.traveller}: {self.description}"

    def clean(self) -> None:
        from .services.checks import travel_cost_date_problem

        if self.date and self.membership_id and (problem := travel_cost_date_problem(self)):
            raise ValidationError({"date": problem})


class InvoiceKind(models.TextChoices):
    ANNUAL_FEE = "annual_fee", _("Annual fee")
    TRAVEL_COSTS = "travel_costs", _("Travel costs")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")


class DocumentStatus(models.TextChoices):
    NONE = "", _("No documents (draft)")
    PENDING = "pending", _("PDF pending")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Rendering failed")


class SendChannel(models.TextChoices):
    EINVOICE = "einvoice", _("E-invoice")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")


# Fields that still change after issue: the lifecycle and the stored documents.
LIFECYCLE_FIELDS = {
    "status",
    "sent_on",
    "sent_channel",
    "paid_on",
    "paid_amount",
    "document_status",
    "render_error",
    "pdf",
    "pdf_sha256",
    "finvoice",
    "finvoice_sha256",
    "batch",
    "issue_error",
}


class Invoice(models.Model):
    MUNICIPALITY_PATH = "membership__municipality"

    kind = models.CharField(_("kind"), max_length=14, choices=InvoiceKind.choices)
    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="invoices"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The calendar year the invoice belongs to (the fee year).")
    )
    series = models.ForeignKey(InvoiceSeries, verbose_name=_("series"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # NULL, not "", for drafts: the unique constraint ignores NULLs.
    number = models.CharField(  # noqa: DJ001
        _("invoice number"), max_length=20, null=True, blank=True, editable=False
    )
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True, editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True, editable=False)
    reference = models.CharField(_("payment reference"), max_length=20, blank=True, editable=False)
    rf_reference = models.CharField(_("RF reference"), max_length=25, blank=True, editable=False)
    credited_invoice = models.OneToOneField(
        "self",
        verbose_name=_("credits invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
    )
    notes = models.TextField(_("notes on the invoice"), blank=True)
    snapshot = models.JSONField(_("issued content"), null=True, blank=True, editable=False)
    net_total = models.DecimalField(_("net total"), **MONEY, null=True, blank=True, editable=False)
    vat_total = models.DecimalField(_("VAT"), **MONEY, null=True, blank=True, editable=False)
    gross_total = models.DecimalField(_("total"), **MONEY, null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(
        pgettext_lazy("timestamp", "issued"), null=True, blank=True, editable=False
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_channel = models.CharField(
        _("sent as"), max_length=10, choices=SendChannel.choices, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(_("paid amount"), **MONEY, null=True, blank=True)
    document_status = models.CharField(
        _("documents"), max_length=8, choices=DocumentStatus.choices, blank=True, default=""
    )
    render_error = models.TextField(_("rendering error"), blank=True)
    pdf = models.FileField(
        _("PDF"), upload_to="billing/pdf/", storage=get_document_storage, blank=True
    )
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    finvoice = models.FileField(
        _("Finvoice"), upload_to="billing/finvoice/", storage=get_document_storage, blank=True
    )
    finvoice_sha256 = models.CharField(_("Finvoice SHA-256"), max_length=64, blank=True)
    batch = models.ForeignKey(
        "BillingBatch",
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    issue_error = models.TextField(
        _("why it was not issued"),
        blank=True,
        editable=False,
        help_text=_("Set when a batch could not issue this draft; cleared when it is issued."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["snapshot"])

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "number", "pk"]
        indexes = [models.Index(fields=["status", "kind"], name="invoice_status_kind_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=Q(number__isnull=False), name="invoice_number_unique"
            ),
            models.UniqueConstraint(
                fields=["membership", "year"],
                condition=Q(kind="annual_fee") & ~Q(status="credited"),
                name="invoice_annual_fee_once_per_year",
                violation_error_message=_(
                    "The membership already has an annual-fee invoice for that year."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(number__isnull=True))
                | (
                    ~Q(status="draft")
                    & Q(number__isnull=False, invoice_date__isnull=False, due_date__isnull=False)
                    & ~Q(reference="")
                ),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(kind="credit_note", credited_invoice__isnull=False)
                | (~Q(kind="credit_note") & Q(credited_invoice__isnull=True)),
                name="invoice_credit_note_references_original",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} ({_('draft')} #{self.pk})"

    def save(self, *args, **kwargs):
        self._check_mutable()  # invariant guard: no business logic here
        super().save(*args, **kwargs)
        self._stored = {
            field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields
        }

    def delete(self, *args, **kwargs):
        if getattr(self, "_stored", {}).get("status", self.status) != InvoiceStatus.DRAFT:
            raise ImmutableInvoice(f"invoice {self.number} is issued; it is never deleted")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._stored = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    def _check_mutable(self) -> None:
        stored = getattr(self, "_stored", None)
        if not stored or stored.get("status") == InvoiceStatus.DRAFT:
            return
        changed = {
            field.attname
            for field in self._meta.concrete_fields
            if field.attname in stored
            and field.name not in LIFECYCLE_FIELDS
            and field.attname not in LIFECYCLE_FIELDS
            and getattr(self, field.attname) != stored[field.attname]
        }
        if changed:
            raise ImmutableInvoice(
                f"invoice {self.number} is issued; cannot change {sorted(changed)}"
            )


class InvoiceLine(models.Model):
    MUNICIPALITY_PATH = "invoice__membership__municipality"

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("invoice line", "position"))
    description = models.CharField(_("description"), max_length=300)
    details = models.CharField(_("details"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, default=Decimal("1")
    )
    unit = models.CharField(_("unit"), max_length=10, default="kpl")
    unit_price = models.DecimalField(_("unit price (excl. VAT)"), **MONEY)
    net = models.DecimalField(_("net"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_exemption_reason = models.CharField(
        _("VAT exemption reason"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only with 0 % VAT: why the supply is exempt, with the provision of the VAT Act; "
            "printed on the invoice."
        ),
    )
    supply_date = models.DateField(_("date of supply"))
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_date = models.DateField(_("population on"), null=True, blank=True)
    tier = models.CharField(_("fee tier"), max_length=40, blank=True)
    travel_cost = models.ForeignKey(
        TravelCost,
        verbose_name=_("travel cost"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
    )

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoice_line_unique_position"
            ),
            models.UniqueConstraint(
                fields=["travel_cost"],
                condition=Q(travel_cost__isnull=False),
                name="travel_cost_invoiced_once",
                violation_error_message=_("This travel cost is already on an invoice."),
            ),
            # The exact rule (to the cent, rounded half up) is checked by InvoiceLine.clean and
            # at issue; the database refuses anything a cent or more off.
            models.CheckConstraint(
                condition=Q(
                    net__gt=models.F("quantity") * models.F("unit_price") - Decimal("0.01"),
                    net__lt=models.F("quantity") * models.F("unit_price") + Decimal("0.01"),
                ),
                name="invoice_line_net_is_quantity_times_price",
                violation_error_message=_("The net amount is not quantity × unit price."),
            ),
            models.CheckConstraint(
                condition=(Q(vat_rate=0) & ~Q(vat_exemption_reason=""))
                | (~Q(vat_rate=0) & Q(vat_exemption_reason="")),
                name="invoice_line_zero_vat_has_exemption_reason",
                violation_error_message=_(
                    "0 % VAT needs an exemption reason, and only 0 % VAT has one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs):
        self._check_mutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_mutable()
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        from .services.checks import line_problems

        if problems := line_problems(self):
            raise ValidationError(problems)

    def _check_mutable(self) -> None:
        if (
            self.invoice_id
            and Invoice.objects.filter(pk=self.invoice_id).exclude(status="draft").exists()
        ):
            raise ImmutableInvoice("the lines of an issued invoice never change")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class BatchKind(models.TextChoices):
    ISSUE = "issue", _("Issue the drafts of a season and year")
    RENDER = "render", _("Render the documents of selected invoices")


class BillingBatch(models.Model):
    """Background billing work with progress: issuing a season's drafts of a year, or rendering
    the documents of selected invoices.

    Resumable: a run (again) does only what is left, and the counters are counted from the
    invoices, never incremented. While it runs, the worker renews `lease_expires_at` after every
    invoice; a running batch whose lease has expired was abandoned by a worker that died and is
    taken again (see `services.batches`).
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=BatchKind.choices, default=BatchKind.ISSUE
    )
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, null=True, blank=True
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    invoice_ids = models.JSONField(_("selected invoices"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(pgettext_lazy("count", "invoices"), default=0)
    issued = models.PositiveIntegerField(pgettext_lazy("count", "issued"), default=0)
    rendered = models.PositiveIntegerField(_("documents ready"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs"), default=0)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("billing batch")
        verbose_name_plural = _("billing batches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="issue") | Q(season__isnull=False, year__isnull=False),
                name="billing_batch_issue_has_season_and_year",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == BatchKind.RENDER:
            return f"{_('documents')} #{self.pk} ({self.get_status_display()})"
        return f"{self.season.slug} {self.year} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.status == BatchStatus.FINISHED else 0
        return round(100 * (self.rendered + self.failed) / self.total)
