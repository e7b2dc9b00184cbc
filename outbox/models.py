"""The outbox: one row per message and recipient, written in the same transaction as the change
that causes it and sent after commit by a task (see `services` and the README's "E-mail")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRY = "retry", _("Failed, waiting for retry")
    SENT = "sent", _("Sent")
    GIVEN_UP = "given_up", _("Given up")


class Message(models.Model):
    """An e-mail to one recipient, rendered when it was queued (templates, language)."""

    recipient = models.CharField(_("recipient"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    # [{"filename": …, "mimetype": …, "content": base64}, …], e.g. the .ics invitation
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, help_text=_("The same in every attempt.")
    )
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_("What caused the message, e.g. events.confirmed.")
    )
    about_type = models.ForeignKey(
        ContentType,
        verbose_name=_("about (type)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    about_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    about_label = models.CharField(_("about"), max_length=255, blank=True)
    sensitive = models.BooleanField(
        _("contains a one-time link"),
        default=False,
        help_text=_("Its text is never shown and is erased once it has been sent."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The lease of the sender that is sending it: a sender killed mid-send leaves "sending"
    # with a lease that runs out, and the message is taken again.
    claim = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    resend_of = models.ForeignKey(
        "self",
        verbose_name=_("copy of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent again by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("sent again at"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)  # written only by the services; read-only in the admin
        permissions = [("resend_message", _("Can send an e-mail message again"))]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_message_due_idx"),
            models.Index(fields=["about_type", "about_id"], name="outbox_message_about_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MessageStatus.SENT, sent_at__isnull=False)
                | (~Q(status=MessageStatus.SENT) & Q(sent_at__isnull=True)),
                name="outbox_message_sent_at_iff_sent",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENDING) | Q(claimed_until__isnull=False),
                name="outbox_message_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[MessageStatus.QUEUED, MessageStatus.RETRY])
                | Q(next_attempt_at__isnull=False),
                name="outbox_message_waiting_has_next_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
