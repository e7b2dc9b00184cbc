"""Login protection helpers (django-axes) and session policy."""

from django.conf import settings


def login_username(request, credentials: dict) -> str:
    """Axes counts failures per e-mail address case-insensitively, like the login itself."""
    credentials = credentials or {}
    username = credentials.get("username") or credentials.get("email")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return str(username or "").strip().lower()


def apply_session_policy(sender, request, user, **kwargs) -> None:
    """On login: staff sessions expire sooner than municipal contacts' (user_logged_in)."""
    if request is not None and hasattr(request, "session") and user.is_staff:
        request.session.set_expiry(settings.STAFF_SESSION_SECONDS)
