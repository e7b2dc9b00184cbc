"""The season programme: events, registrations, materials, announcements, calendar feeds."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from municipalities.models import ContactPerson, Municipality, Season, SeasonTheme
from municipalities.scoping import MunicipalityScopedQuerySet
from uso_portal.i18n import localized
from uso_portal.uploads import DOCUMENTS, UploadValidator, get_private_storage


class EventKind(models.TextChoices):
    THEME_SEMINAR = "theme_seminar", _("Theme seminar")
    TRUSTEE_TRAINING = "trustee_training", _("Training for elected trustees")
    FORESIGHT_SESSION = "foresight_session", _("Foresight session")
    CURRENT_AFFAIRS_REVIEW = "current_affairs_review", _("Current-affairs review")
    PEER_DISCUSSION = "peer_discussion", _("Peer discussion / development event")


class EventFormat(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    HYBRID = "hybrid", _("Hybrid")
    IN_PERSON = "in_person", _("In person")


class Audience(models.TextChoices):
    ELECTED_TRUSTEES = "elected_trustees", _("Elected trustees")
    OFFICIALS = "officials", _("Officials")
    BOTH = "both", _("Elected trustees and officials")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


class EventSeries(models.Model):
    """Events that belong together, e.g. the four sessions of the foresight process."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="event_series"
    )
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["season", "title_fi"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class EventQuerySet(models.QuerySet):
    def visible_in_portal(self) -> EventQuerySet:
        return self.exclude(status=EventStatus.DRAFT)


class Event(models.Model):
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    description_fi = models.TextField(_("description in Finnish"), blank=True)
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    themes = models.ManyToManyField(
        SeasonTheme, verbose_name=_("themes"), blank=True, related_name="events"
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    format = models.CharField(
        _("format"), max_length=12, choices=EventFormat.choices, default=EventFormat.WEBINAR
    )
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    online_link = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to registered participants and staff."),
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.BOTH
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_per_municipality = models.PositiveIntegerField(
        _("maximum participants per municipality"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    registration_opens = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: when published.")
    )
    registration_closes = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Empty: when the event starts."),
    )
    cancellation_deadline = models.DateTimeField(
        _("cancellation deadline"),
        null=True,
        blank=True,
        help_text=_("Municipalities can cancel registrations until then. Empty: until the start."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(
        _("calendar sequence"), default=0, editable=False, help_text=_("Grows with every change.")
    )
    over_quota_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quota overrun confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    over_quota_confirmed_at = models.DateTimeField(
        _("quota overrun confirmed at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        indexes = [models.Index(fields=["season", "start"], name="event_season_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="event_ends_after_start",
                violation_error_message=_("An event ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="event_capacity_positive",
                violation_error_message=_("Capacity is at least one, or empty for no limit."),
            ),
            models.CheckConstraint(
                condition=Q(max_per_municipality__isnull=True) | Q(max_per_municipality__gt=0),
                name="event_max_per_municipality_positive",
                violation_error_message=_(
                    "The maximum per municipality is at least one, or empty for no limit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes__isnull=True)
                | Q(registration_opens__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="event_registration_closes_after_opening",
                violation_error_message=_("Registration closes after it opens."),
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{self.title} {local:%d.%m.%Y}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def registration_closes_at(self):
        return self.registration_closes or self.start

    @property
    def cancellation_deadline_at(self):
        return self.cancellation_deadline or self.start

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        opened = self.registration_opens is None or self.registration_opens <= now
        return self.status == EventStatus.PUBLISHED and opened and now < self.registration_closes_at

    def has_ended(self, now=None) -> bool:
        return self.end <= (now or timezone.now())


class EventMaterial(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to="events/materials/%Y/",
        storage=get_private_storage,
        validators=[UploadValidator(DOCUMENTS)],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["event", "title"]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class Registration(models.Model):
    """A person of a member municipality registered to an event."""

    MUNICIPALITY_PATH = "municipality"

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, blank=True
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    promoted_at = models.DateTimeField(_("promoted from the waitlist"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("limits overridden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "registered_at", "id"]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="registration_queue_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "contact_person"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_person",
                violation_error_message=_("This person is already registered to the event."),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="registration_cancelled_at_iff_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(attendance="") | Q(status="confirmed"),
                name="registration_attendance_only_confirmed",
                violation_error_message=_("Attendance is marked for confirmed participants only."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_person} – {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED


class AnnouncementKind(models.TextChoices):
    CURRENT_AFFAIRS = "current_affairs", _("Current-affairs review")
    PROGRAMME_MATERIAL = "programme_material", _("Programme material")


class Announcement(models.Model):
    """Current information and programme materials published to a season's members."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="announcements"
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=AnnouncementKind.choices,
        default=AnnouncementKind.CURRENT_AFFAIRS,
    )
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    body_fi = models.TextField(_("text in Finnish"))
    body_sv = models.TextField(_("text in Swedish"), blank=True)
    body_en = models.TextField(_("text in English"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed to contact persons"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to="events/announcements/%Y/",
        storage=get_private_storage,
        validators=[UploadValidator(DOCUMENTS)],
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["announcement", "title"]

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret URL with a municipality's season events, for calendar subscriptions."""

    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["municipality", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_municipality",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} ({self.created_at:%d.%m.%Y})"
