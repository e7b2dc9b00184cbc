"""Password reset through the outbox, throttled per address and per client IP.

The e-mail is queued in the outbox (a one-time link: never shown to staff, erased once sent) and
sent after the response, so a mail server that is down does not turn the request into an error.
Requests are counted in the cache per e-mail address and per client IP (the IP as django-axes
sees it, behind TRUSTED_PROXY_COUNT proxies), whether or not the address has an account, so the
answer, refused or not, says nothing about who has one.
"""

from __future__ import annotations

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from outbox.services import mail_enqueue

CACHE_PREFIX = "password-reset"
logger = logging.getLogger(__name__)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form, but the message goes into the outbox instead of straight to SMTP."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        user = context["user"]
        language = user.language or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = render_to_string(subject_template_name, context)
        mail_enqueue(
            to=to_email,
            subject=subject,
            text_template=email_template_name,
            html_template=html_email_template_name,
            context=context,
            language=language,
            kind="auth.password_reset",
            about=user,
            sensitive=True,
        )

    @transaction.atomic
    def save(self, *args, **kwargs):
        return super().save(*args, **kwargs)


def _window_seconds() -> int:
    return settings.PASSWORD_RESET_WINDOW_MINUTES * 60


def _count(key: str) -> int:
    """Count one request in the window that started with the first one; the new count."""
    if cache.add(key, 1, timeout=_window_seconds()):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_window_seconds())
        return 1


def _over(key: str, limit: int) -> bool:
    return (cache.get(key) or 0) >= limit


def throttle_refusal(*, request: HttpRequest, email: str) -> str | None:
    """Why this request must wait (a message for the person), or None after counting it. A
    cache that fails (e.g. its table was never created) lets the request through, logged."""
    try:
        with transaction.atomic():  # a database cache that fails must not break the request's
            return _throttle_refusal(request, email)
    except Exception:
        logger.exception("password-reset limits not applied: the cache failed")
        return None


def _throttle_refusal(request: HttpRequest, email: str) -> str | None:
    ip = get_client_ip_address(request) or "unknown"
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    ip_key = f"{CACHE_PREFIX}:ip:{hashlib.sha256(ip.encode()).hexdigest()}"
    address_key = f"{CACHE_PREFIX}:address:{address}"
    if _over(ip_key, settings.PASSWORD_RESET_LIMIT_PER_IP) or _over(
        address_key, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    ):
        minutes = settings.PASSWORD_RESET_WINDOW_MINUTES
        return ngettext(
            "Too many password reset requests. Please try again in %(minutes)d minute; "
            "a link already sent stays valid.",
            "Too many password reset requests. Please try again in %(minutes)d minutes; "
            "a link already sent stays valid.",
            minutes,
        ) % {"minutes": minutes}
    _count(ip_key)
    _count(address_key)
    return None


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        refusal = throttle_refusal(request=self.request, email=form.cleaned_data["email"])
        if refusal:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
