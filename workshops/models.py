"""Municipality-specific development workshops: five per member and season, from proposal to
report, planned with the municipality's responsible consultant."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from municipalities.models import Membership, Season
from municipalities.scoping import MunicipalityScopedQuerySet
from uso_portal.i18n import localized
from uso_portal.uploads import DOCUMENTS, UploadValidator, get_private_storage


class WorkshopKind(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    WORKSHOP = "workshop", _("Workshop")
    DOCUMENT_DRAFTING = "document_drafting", _("Support for drafting a document")
    INTERVIEW_STUDY = "interview_study", _("Interview study")
    BENCHMARKING = "benchmarking", _("Benchmarking data collection and studies")
    ANALYSIS = "analysis", _("Operations and finance analysis and comparison")
    SURVEY = "survey", _("Survey design, execution and analysis")
    OTHER_STUDY = "other_study", _("Other study or data support")


class WorkshopAudience(models.TextChoices):
    POLITICAL_LEADERSHIP = "political_leadership", _("Political leadership")
    OFFICIALS = "officials", _("Officials")
    DEPARTMENTS = "departments", _("Departments")
    SUPERVISORS = "supervisors", _("Supervisors")
    RESIDENTS = "residents", _("Residents")
    STAKEHOLDERS = "stakeholders", _("Stakeholders")


class WorkshopStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("workshop status", "Proposed")
    PLANNED = "planned", pgettext_lazy("workshop status", "Planned")
    SCHEDULED = "scheduled", pgettext_lazy("workshop status", "Scheduled")
    HELD = "held", pgettext_lazy("workshop status", "Held")
    REPORTED = "reported", pgettext_lazy("workshop status", "Reported")
    CANCELLED = "cancelled", pgettext_lazy("workshop status", "Cancelled")


# Statuses that use one of the membership's workshops.
COUNTED_STATUSES = [s for s in WorkshopStatus.values if s != WorkshopStatus.CANCELLED]


def validate_audiences(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one audience."), code="audience_required")
    unknown = set(value) - set(WorkshopAudience.values)
    if unknown:
        raise ValidationError(
            _("Unknown audience: %(values)s."), params={"values": ", ".join(sorted(unknown))}
        )


class WorkshopTopic(models.Model):
    """A popular theme of municipality-specific development in a season."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="workshop_topics"
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("workshop topic")
        verbose_name_plural = _("workshop topics")
        ordering = ["season", "position", "name_fi"]
        constraints = [
            models.UniqueConstraint(fields=["season", "name_fi"], name="workshop_topic_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Workshop(models.Model):
    MUNICIPALITY_PATH = "membership__municipality"

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="workshops"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WorkshopKind.choices)
    topic = models.ForeignKey(
        WorkshopTopic,
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
    )
    topic_other = models.CharField(
        _("other topic"), max_length=200, blank=True, help_text=_("When no listed topic fits.")
    )
    audiences = models.JSONField(_("audiences"), default=list, validators=[validate_audiences])
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    goals = models.TextField(_("goals"), blank=True)
    description = models.TextField(_("description"), blank=True)
    responsible_consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible consultant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    expected_participants = models.PositiveIntegerField(
        _("expected participants"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("development workshop")
        verbose_name_plural = _("development workshops")
        ordering = ["membership", "starts_at", "created_at"]
        permissions = [("view_all_workshops", _("Can see every municipality's workshops"))]
        indexes = [models.Index(fields=["membership", "status"], name="workshop_membership_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="workshop_ends_after_start",
                violation_error_message=_("A workshop ends after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "held", "reported"])
                | Q(starts_at__isnull=False, ends_at__isnull=False),
                name="workshop_scheduled_has_time",
                violation_error_message=_("A scheduled workshop has a start and an end."),
            ),
            models.CheckConstraint(
                condition=Q(topic__isnull=False) | ~Q(topic_other=""),
                name="workshop_has_topic",
                violation_error_message=_("Choose a topic or describe another one."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_name(self) -> str:
        return self.topic.name if self.topic_id else self.topic_other

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(WorkshopAudience.choices)
        return [str(labels[value]) for value in self.audiences if value in labels]

    @property
    def counts_against_quota(self) -> bool:
        return self.status != WorkshopStatus.CANCELLED


class WorkshopTransition(models.Model):
    """One step of a workshop's workflow: who moved it, when, from where to where."""

    MUNICIPALITY_PATH = "workshop__membership__municipality"

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=WorkshopStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=WorkshopStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["workshop", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '–'} → {self.to_status}"


class QuotaGrant(models.Model):
    """Extra workshops staff granted to a membership, with the reason."""

    MUNICIPALITY_PATH = "membership__municipality"

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="quota_grants",
    )
    extra = models.PositiveSmallIntegerField(_("extra workshops"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extra workshop grant")
        verbose_name_plural = _("extra workshop grants")
        ordering = ["membership", "-granted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(extra__gt=0), name="quota_grant_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="quota_grant_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: +{self.extra}"


class DeliverableKind(models.TextChoices):
    REPORT = "report", _("Report")
    MATERIAL = "material", _("Material")


class Deliverable(models.Model):
    MUNICIPALITY_PATH = "workshop__membership__municipality"

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="deliverables"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=DeliverableKind.choices, default=DeliverableKind.MATERIAL
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to="workshops/%Y/",
        storage=get_private_storage,
        validators=[UploadValidator(DOCUMENTS)],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["workshop", "uploaded_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class Comment(models.Model):
    """Planning notes between the municipality's contacts and the consultant."""

    MUNICIPALITY_PATH = "workshop__membership__municipality"

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["workshop", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty")]

    def __str__(self) -> str:
        return self.body[:60]
