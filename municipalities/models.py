"""Municipalities, their population figures and contact persons, seasons and memberships, users.

The user model lives here because every portal user is either network staff or a contact person
of one municipality; `municipalities` depends on no other app of the project.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from uso_portal.i18n import localized

from .roles import StaffRole
from .scoping import MunicipalityScopedQuerySet
from .validators import (
    validate_business_id,
    validate_municipality_code,
    validate_operator_id,
    validate_ovt,
    validate_postal_code,
)


class Language(models.TextChoices):
    FI = "fi", _("Finnish")
    SV = "sv", _("Swedish")
    EN = "en", _("English")


class LanguageStatus(models.TextChoices):
    FI = "fi", _("Unilingual Finnish")
    SV = "sv", _("Unilingual Swedish")
    BILINGUAL_FI = "bilingual_fi_majority", _("Bilingual, Finnish majority")
    BILINGUAL_SV = "bilingual_sv_majority", _("Bilingual, Swedish majority")

    @property
    def default_language(self) -> str:
        swedish = self in (LanguageStatus.SV, LanguageStatus.BILINGUAL_SV)
        return Language.SV if swedish else Language.FI


class MunicipalityKind(models.TextChoices):
    CITY = "city", _("City")
    MUNICIPALITY = "municipality", _("Municipality")


class StatisticalGrouping(models.TextChoices):
    URBAN = "urban", _("Urban")
    SEMI_URBAN = "semi_urban", _("Semi-urban")
    RURAL = "rural", _("Rural")


# --- Users ----------------------------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address.

    Network staff, consultants and finance have no municipality and get their rights from groups
    (see `roles.py`); a municipal contact person is linked to exactly one municipality and sees
    nothing of the others.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    municipality = models.ForeignKey(
        "Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Set for municipal contact persons only; they see only this municipality."),
    )
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, blank=True
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log in to the administration (network staff, consultants, finance)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    session_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised to end every session of the user."
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_case_insensitive_unique",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(municipality__isnull=True) | Q(is_staff=False, is_superuser=False),
                name="user_municipal_contact_not_staff",
                violation_error_message=_(
                    "A municipal contact person cannot have staff or superuser status."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_session_auth_hash(self) -> str:
        """Sessions are valid while the password and the session version are unchanged."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "uso_portal.User.get_session_auth_hash",
            f"{self.password}:{self.session_version}",
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_municipal_contact(self) -> bool:
        return self.municipality_id is not None

    def has_role(self, role: StaffRole) -> bool:
        return self.is_active and self.groups.filter(name=role.value).exists()


# --- Municipalities -------------------------------------------------------------------------


class MunicipalityQuerySet(MunicipalityScopedQuerySet):
    pass


class Municipality(models.Model):
    MUNICIPALITY_PATH = "pk"

    code = models.CharField(
        _("municipality code"),
        max_length=3,
        unique=True,
        validators=[validate_municipality_code],
        help_text=_("Statistics Finland's three-digit municipality number, e.g. 980."),
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100, blank=True)
    region_code = models.CharField(_("region code"), max_length=2, blank=True)
    region_name_fi = models.CharField(_("region (Finnish)"), max_length=100, blank=True)
    region_name_sv = models.CharField(_("region (Swedish)"), max_length=100, blank=True)
    subregion_code = models.CharField(_("sub-region code"), max_length=3, blank=True)
    subregion_name = models.CharField(_("sub-region"), max_length=100, blank=True)
    kind = models.CharField(
        _("city or municipality"),
        max_length=12,
        choices=MunicipalityKind.choices,
        default=MunicipalityKind.MUNICIPALITY,
    )
    language_status = models.CharField(
        _("language status"),
        max_length=24,
        choices=LanguageStatus.choices,
        default=LanguageStatus.FI,
    )
    statistical_grouping = models.CharField(
        _("statistical grouping"),
        max_length=12,
        choices=StatisticalGrouping.choices,
        blank=True,
    )
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        blank=True,
        validators=[validate_business_id],
        help_text=_("Y-tunnus, e.g. 0158221-7."),
    )
    business_id_verified = models.BooleanField(
        _("business ID verified"),
        default=False,
        help_text=_("Confirmed from an independent source; check unverified IDs before invoicing."),
    )
    business_id_source = models.CharField(_("business ID provenance"), max_length=200, blank=True)
    einvoice_address = models.CharField(
        _("e-invoice address"),
        max_length=17,
        blank=True,
        validators=[validate_ovt],
        help_text=_("OVT code: 0037 + business ID without hyphen (+ optional suffix)."),
    )
    einvoice_operator = models.CharField(
        _("e-invoice operator ID"),
        max_length=17,
        blank=True,
        validators=[validate_operator_id],
        help_text=_("The operator's OVT code or bank BIC, as given by the municipality."),
    )
    billing_street_address = models.CharField(
        _("billing street address"), max_length=200, blank=True
    )
    billing_postal_code = models.CharField(
        _("billing postal code"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    billing_post_office = models.CharField(_("billing post office"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.FI,
        help_text=_("Language of e-mails, invoices and reports sent to the municipality."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fi"]
        # Lifts the consultants' limit to the municipalities they are responsible for (scoping.py).
        permissions = [
            ("view_all_municipalities", _("Can see the records of every municipality")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{3}$"),
                name="municipality_code_three_digits",
                violation_error_message=_("A municipality code has exactly three digits."),
            ),
            models.UniqueConstraint(
                fields=["business_id"],
                condition=~Q(business_id=""),
                name="municipality_business_id_unique",
                violation_error_message=_("Another municipality has this business ID."),
            ),
            models.CheckConstraint(
                condition=Q(einvoice_address="") | Q(einvoice_address__startswith="0037"),
                name="municipality_einvoice_address_ovt",
                violation_error_message=_("An e-invoice address (OVT) starts with 0037."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def region_name(self) -> str:
        return localized(self, "region_name")

    @property
    def billing_address_lines(self) -> list[str]:
        post = f"{self.billing_postal_code} {self.billing_post_office}".strip()
        return [line for line in (self.billing_street_address, post) if line]


class PopulationFigure(models.Model):
    """Official population of a municipality on 31 December of a year."""

    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="population_figures",
    )
    reference_date = models.DateField(_("reference date"), help_text=_("31 December of a year."))
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=300)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["municipality", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference_date"],
                name="population_figure_unique_per_date",
                violation_error_message=_(
                    "This municipality already has a population figure for that date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(population__gt=0),
                name="population_figure_positive",
                violation_error_message=_("A population is a positive number."),
            ),
            models.CheckConstraint(
                condition=Q(reference_date__month=12, reference_date__day=31),
                name="population_figure_on_31_december",
                violation_error_message=_("A population figure is dated 31 December."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.code} {self.reference_date:%d.%m.%Y}: {self.population}"

    @property
    def year(self) -> int:
        return self.reference_date.year


class ContactRole(models.TextChoices):
    CONTACT_PERSON = "contact_person", _("Contact person")
    BILLING_CONTACT = "billing_contact", _("Billing contact")
    ELECTED_TRUSTEE = "elected_trustee", _("Elected trustee")
    OFFICIAL = "official", _("Official")
    OTHER = "other", pgettext_lazy("contact role", "Other")


class ContactPerson(models.Model):
    """A person of a municipality the network deals with; may have a portal login."""

    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="contact_persons",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=200, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.CONTACT_PERSON
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("portal login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_person",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                "municipality",
                Lower("email"),
                condition=~Q(email=""),
                name="contact_person_email_unique_per_municipality",
                violation_error_message=_(
                    "This municipality already has a contact person with this e-mail address."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Seasons and memberships ----------------------------------------------------------------


def current_of(seasons, today: datetime.date):
    """The rule of "the current season", over given seasons: the one running today; else the
    latest that has started; else the first to come. A season in preparation (offers out, some
    joined) is not yet the current one. Used by `Season.objects.current` and, over a
    municipality's own seasons, by `membership_current_for`, so staff and contacts agree."""
    seasons = sorted(seasons, key=lambda season: season.start_date)
    running = [s for s in seasons if s.start_date <= today <= s.end_date]
    started = [s for s in seasons if s.start_date <= today]
    if running:
        return running[-1]
    if started:
        return started[-1]
    return seasons[0] if seasons else None


class SeasonQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None) -> Season | None:
        """See `current_of` (one query: the network has a handful of seasons)."""
        return current_of(list(self.all()), today or timezone.localdate())


class Season(models.Model):
    """A two-year season of the network with its programme quotas."""

    slug = models.SlugField(
        _("identifier"), max_length=20, unique=True, help_text=_("E.g. 2021-2022.")
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    theme_seminar_quota = models.PositiveSmallIntegerField(_("theme seminars"), default=6)
    trustee_training_quota = models.PositiveSmallIntegerField(
        _("trainings for elected trustees"), default=2
    )
    foresight_session_quota = models.PositiveSmallIntegerField(_("foresight sessions"), default=4)
    workshops_per_member = models.PositiveSmallIntegerField(
        _("development workshops per member"), default=5
    )

    objects = SeasonQuerySet.as_manager()

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="season_ends_after_start",
                violation_error_message=_("A season ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def years(self) -> list[int]:
        return list(range(self.start_date.year, self.end_date.year + 1))


class SeasonTheme(models.Model):
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="themes"
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    is_lead_theme = models.BooleanField(_("lead theme"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["season", "position", "name_fi"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "name_fi"],
                name="season_theme_unique_name",
                violation_error_message=_("The season already has a theme with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("membership status", "Active")
    ENDED = "ended", _("Ended")


class Membership(models.Model):
    """A municipality's participation in a season."""

    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField(_("joined on"))
    decision_reference = models.CharField(
        _("decision"),
        max_length=200,
        blank=True,
        help_text=_("The decision to join, e.g. KAUPHALL 14.12.2020 § 357."),
    )
    responsible_consultant = models.ForeignKey(
        User,
        verbose_name=_("responsible consultant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consulted_memberships",
        limit_choices_to={"groups__name": StaffRole.CONSULTANT.value, "is_active": True},
    )
    buyer_reference = models.CharField(
        _("buyer reference"),
        max_length=70,
        blank=True,
        help_text=_("The municipality's reference for invoices (cost centre), e.g. 1106."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-season__start_date", "municipality__name_fi"]
        permissions = [
            ("view_usage_matrix", _("Can see the members' use of the season (usage matrix)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "season"],
                name="membership_unique_per_season",
                violation_error_message=_("The municipality is already a member of this season."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=MembershipStatus.ENDED, ended_on__isnull=False)
                    | Q(status=MembershipStatus.ACTIVE, ended_on__isnull=True)
                ),
                name="membership_ended_on_iff_ended",
                violation_error_message=_("An ended membership has an end date, an active none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.name} – {self.season.slug}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


# --- Renewal: offers of the next season and invoicing-details confirmations ------------------

from .renewal.models import (  # noqa: E402, F401
    InvoicingDetailsConfirmation,
    Offer,
    OfferFee,
    OfferStatus,
)
