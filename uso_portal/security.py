"""Login protection helpers (django-axes) and session policy."""

import re

from django.conf import settings

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def login_username(request, credentials: dict) -> str:
    """Axes counts failures per e-mail address case-insensitively, like the login itself.

    What a client sends is cut to the lockout table's column (255 characters) and loses its
    control characters, so no login attempt, however long or strange, fails to be recorded.
    """
    from axes.models import AccessAttempt

    credentials = credentials or {}
    username = credentials.get("username") or credentials.get("email")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    username = CONTROL_CHARACTERS.sub("", str(username or "")).strip().lower()
    return username[: AccessAttempt._meta.get_field("username").max_length]


def apply_session_policy(sender, request, user, **kwargs) -> None:
    """On login: staff sessions expire sooner than municipal contacts' (user_logged_in)."""
    if request is not None and hasattr(request, "session") and user.is_staff:
        request.session.set_expiry(settings.STAFF_SESSION_SECONDS)
