"""Offers of a season to municipalities, their answers, and invoicing-details confirmations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..scoping import MunicipalityScopedQuerySet
from ..validators import validate_business_id, validate_operator_id, validate_ovt


class OfferStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    INTERESTED = "interested", _("Interested")
    DECISION_PENDING = "decision_pending", _("Decision pending")
    JOINED = "joined", _("Joined")
    DECLINED = "declined", _("Declined")


# The answers that end the pipeline, and those that still need a reminder.
OPEN_STATUSES = (OfferStatus.INVITED, OfferStatus.INTERESTED, OfferStatus.DECISION_PENDING)


class Offer(models.Model):
    """A season's personal offer to one municipality, and where its answer stands."""

    MUNICIPALITY_PATH = "municipality"

    season = models.ForeignKey(
        "municipalities.Season",
        verbose_name=_("season"),
        on_delete=models.PROTECT,
        related_name="offers",
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="offers",
    )
    language = models.CharField(_("language"), max_length=2)
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.INVITED
    )
    was_member = models.BooleanField(
        _("member of the previous season"), default=False, editable=False
    )
    sent_at = models.DateTimeField(_("sent"))
    emailed_at = models.DateTimeField(
        _("e-mailed"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: the municipality had no contact person with an e-mail address when the "
            "offer was made. Sending the offer again, or a reminder, e-mails it once there is one."
        ),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    board_meeting_date = models.DateField(_("board meeting date"), null=True, blank=True)
    decision_reference = models.CharField(
        _("decision"),
        max_length=200,
        blank=True,
        help_text=_("The decision to join, e.g. KAUPHALL 14.12.2020 § 357."),
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=70, blank=True)
    buyer_reference = models.CharField(_("buyer reference"), max_length=70, blank=True)
    business_id = models.CharField(
        _("business ID"), max_length=9, blank=True, validators=[validate_business_id]
    )
    einvoice_address = models.CharField(
        _("e-invoice address"), max_length=17, blank=True, validators=[validate_ovt]
    )
    einvoice_operator = models.CharField(
        _("e-invoice operator ID"), max_length=17, blank=True, validators=[validate_operator_id]
    )
    declined_reason = models.TextField(_("reason for declining"), max_length=2000, blank=True)
    membership = models.OneToOneField(
        "municipalities.Membership",
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer",
    )
    created_by = models.ForeignKey(
        "municipalities.User",
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["season", "municipality__name_fi"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "municipality"],
                name="offer_unique_per_season",
                violation_error_message=_("The municipality already has an offer for this season."),
            ),
            models.CheckConstraint(
                condition=~Q(status=OfferStatus.DECISION_PENDING)
                | Q(board_meeting_date__isnull=False),
                name="offer_decision_pending_has_meeting_date",
                violation_error_message=_("A pending decision has the board meeting's date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=OfferStatus.JOINED)
                | (
                    ~Q(decision_reference="")
                    & Q(decision_date__isnull=False)
                    & ~Q(business_id="")
                    & Q(membership__isnull=False)
                ),
                name="offer_joined_has_decision",
                violation_error_message=_(
                    "A municipality that joined has the decision, its date, the business ID and "
                    "the membership."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=OfferStatus.DECLINED) | ~Q(declined_reason=""),
                name="offer_declined_has_reason",
                violation_error_message=_("A declined offer has a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.name} – {self.season.slug}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OfferFee(models.Model):
    """The annual fee stated on an offer for one year of the season (a snapshot at sending)."""

    MUNICIPALITY_PATH = "offer__municipality"

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="fees"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population"))
    population_date = models.DateField(_("population on"))
    billed_on_date = models.DateField(
        _("billed on the population of"),
        help_text=_(
            "The billing run uses the official population on 31 December of the year before."
        ),
    )
    tier_label = models.CharField(_("population tier"), max_length=40)
    annual_fee = models.DecimalField(_("annual fee (EUR)"), max_digits=12, decimal_places=2)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fee on an offer")
        verbose_name_plural = _("fees on offers")
        ordering = ["offer", "year"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "year"], name="offer_fee_unique_per_year"),
            models.CheckConstraint(condition=Q(annual_fee__gte=0), name="offer_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.annual_fee}"

    @property
    def is_estimate(self) -> bool:
        return self.population_date != self.billed_on_date


class InvoicingDetailsConfirmation(models.Model):
    """A contact person confirmed (or corrected) the municipality's invoicing details for a
    season; `changes` holds what changed, field by field: {"field": [old, new]}."""

    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="invoicing_confirmations",
    )
    season = models.ForeignKey(
        "municipalities.Season",
        verbose_name=_("season"),
        on_delete=models.PROTECT,
        related_name="invoicing_confirmations",
    )
    confirmed_by = models.ForeignKey(
        "municipalities.User",
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoicing details confirmation")
        verbose_name_plural = _("invoicing details confirmations")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.municipality.name} – {self.season.slug}"
