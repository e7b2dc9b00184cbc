"""Survey links and ballots: a signed random key per invitation, an HMAC per answer."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from ..models import Invitation

TOKEN_SALT = "feedback.invitation"  # noqa: S105 (a signing salt, not a secret)
BALLOT_SALT = "feedback.ballot"


def _signer() -> signing.Signer:
    return signing.Signer(salt=TOKEN_SALT, sep=".")


def token_for(invitation: Invitation) -> str:
    """The secret of the invitation's link: its random key, signed."""
    return _signer().sign(invitation.key.hex)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of a link, or None for a link that was not made by the portal."""
    try:
        key = _signer().unsign(str(token)[:200])
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("survey__template", "survey__event")
        .filter(key=key)
        .first()
    )


def ballot_for(invitation: Invitation) -> str:
    return salted_hmac(BALLOT_SALT, invitation.key.hex, algorithm="sha256").hexdigest()


def answer_url(invitation: Invitation) -> str:
    path = reverse("feedback:answer", kwargs={"token": token_for(invitation)})
    return f"{settings.PORTAL_BASE_URL}{path}"
