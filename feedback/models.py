"""Feedback after every event and workshop: questions per season, invitations, answers.

Design (anonymity by default)
-----------------------------
* **Questions are data.** Each season has one `SurveyTemplate` with its `Question`s (one
  "was this worth your time" scale, statements on a 1–5 scale, open comments), texts in
  fi/sv/en, edited by staff in the admin. `services.template_ensure` gives a season without one
  a copy of the previous season's questions, or the default set (`defaults.py`).
* **A `Survey` per held event or workshop** (a one-to-one link to each: at most one survey per
  event and per workshop, so re-running `send_feedback_surveys` never surveys twice). It records
  when it closes (`FEEDBACK_ANSWER_DAYS` after it was sent), the season, the kind of event (or
  "workshop"), the workshop's municipality and a responsible consultant (a workshop's; for an
  event, whom staff set), which decide who sees the results (`municipalities/scoping.py`).
* **An `Invitation` per person and survey** (unique): who was asked, in which language, when
  the invitation and the one reminder went out, and whether they have answered. Its `key` is
  random; the link in the e-mail is the key signed with `django.core.signing`, so a link cannot
  be guessed or altered, and another person's link is simply that person's link.
* **A `Response` carries no person.** It has a random UUID for a primary key (no sequence that
  follows the order of answers), no time, no invitation, no municipality beyond the survey's:
  the survey's responses are an unordered bag. The invitation's `answered` flag is set in the
  same transaction as the response is written, and the admin never shows it per person, so
  staff see how many answered, never who answered what.
* **One answer per person is a constraint:** `Response.ballot` is a keyed hash (HMAC with the
  `SECRET_KEY`) of the invitation's key, unique. It cannot be reversed; only somebody with both
  the database and the server's secret key could recompute it for an invitation, and once a
  survey has closed its ballots are erased (`services.surveys_close`), after which not even
  they can.
* **Comments are personal data.** They follow the participants' retention rule:
  `anonymize_participants --before SEASON` blanks the comments (and the invitations' addresses)
  of the surveys of the seasons it cleans (`services.comments_anonymize`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from municipalities.models import ContactPerson, Municipality, Season
from municipalities.scoping import MunicipalityScopedQuerySet
from uso_portal.i18n import localized

SCALE = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000
WORKSHOP_KIND = "workshop"  # Survey.subject_kind of a workshop; an event's is its EventKind


class QuestionKind(models.TextChoices):
    WORTH = "worth", _("Was it worth your time (1–5)")
    STATEMENT = "statement", _("Statement (1–5)")
    COMMENT = "comment", _("Open comment")


class SurveyTemplate(models.Model):
    """The questions of a season's feedback surveys."""

    season = models.OneToOneField(
        Season,
        verbose_name=_("season"),
        on_delete=models.PROTECT,
        related_name="feedback_template",
    )
    intro_fi = models.TextField(_("introduction in Finnish"), blank=True)
    intro_sv = models.TextField(_("introduction in Swedish"), blank=True)
    intro_en = models.TextField(_("introduction in English"), blank=True)

    class Meta:
        verbose_name = _("feedback questions")
        verbose_name_plural = _("feedback questions")
        ordering = ["-season__start_date"]

    def __str__(self) -> str:
        return str(self.season)

    @property
    def intro(self) -> str:
        return localized(self, "intro")


class Question(models.Model):
    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("feedback questions"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_fi = models.CharField(_("question in Finnish"), max_length=300)
    text_sv = models.CharField(_("question in Swedish"), max_length=300, blank=True)
    text_en = models.CharField(_("question in English"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(kind="worth"),
                name="feedback_question_one_worth_per_template",
                violation_error_message=_("A season has one “worth your time” question."),
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class Survey(models.Model):
    """The feedback survey of one held event or workshop."""

    MUNICIPALITY_PATH = "municipality"

    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("feedback questions"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="surveys"
    )
    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_survey",
    )
    workshop = models.OneToOneField(
        "workshops.Workshop",
        verbose_name=_("development workshop"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_survey",
    )
    subject_kind = models.CharField(_("kind"), max_length=30, editable=False)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=250, editable=False)
    held_on = models.DateField(_("held on"), editable=False)
    # A workshop's municipality; empty for an event (the network's).
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_surveys",
        editable=False,
    )
    responsible_consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible consultant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_surveys",
        help_text=_("Sees the results. A workshop's is set when the survey is sent."),
    )
    sent_at = models.DateTimeField(_("sent"))
    closes_at = models.DateTimeField(_("answers accepted until"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback survey")
        verbose_name_plural = _("feedback surveys")
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["season", "subject_kind"], name="feedback_survey_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, workshop__isnull=True)
                | Q(event__isnull=True, workshop__isnull=False),
                name="feedback_survey_event_xor_workshop",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("sent_at")),
                name="feedback_survey_closes_after_sending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.held_on:%d.%m.%Y}"

    @property
    def subject_title(self) -> str:
        """The title in the active language (an event's texts are kept in three)."""
        return self.event.title if self.event_id else self.title


class Invitation(models.Model):
    """One person asked for feedback on one survey (see the module docstring)."""

    MUNICIPALITY_PATH = "municipality"

    survey = models.ForeignKey(
        Survey,
        verbose_name=_("feedback survey"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="feedback_invitations",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="feedback_invitations",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=2)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent"))
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    answered = models.BooleanField(_("answered"), default=False, editable=False)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback invitation")
        verbose_name_plural = _("feedback invitations")
        ordering = ["survey", "pk"]
        default_permissions = ("view",)  # written only by the services
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "contact_person"], name="feedback_invitation_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_person} – {self.survey}"


class Response(models.Model):
    """One anonymous answer: no person, no time, a random id (see the module docstring)."""

    MUNICIPALITY_PATH = "survey__municipality"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("feedback survey"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    # HMAC of the invitation's key while the survey is open; erased when it closes.
    ballot = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    worth = models.PositiveSmallIntegerField(_("worth your time"), null=True, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)  # {question pk: 1–5}
    comments = models.JSONField(_("comments"), default=dict, blank=True)  # {question pk: text}

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(
                condition=Q(worth__isnull=True) | Q(worth__gte=1, worth__lte=5),
                name="feedback_response_worth_on_scale",
            )
        ]

    def __str__(self) -> str:
        return str(_("Answer"))
