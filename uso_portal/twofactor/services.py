"""Writes of the second factor: pending and confirmed devices, backup codes, enrolment links."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from outbox.services import mail_enqueue

BACKUP_CODE_COUNT = 10
ENROLMENT_SALT = "uso_portal.twofactor.enrolment"
ENROLMENT_MAX_AGE = 3600  # seconds


def pending_device(user) -> TOTPDevice:
    """The authenticator being enrolled: the same secret until it is confirmed (a reload of the
    page must not invalidate what the app has already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@transaction.atomic
def device_confirm(*, user, device: TOTPDevice) -> list[str]:
    """Make `device` the user's only authenticator and issue fresh backup codes; when it replaces
    an app, the person is told by e-mail (someone else may have done it)."""
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    for other in devices_for_user(user, confirmed=None):
        if other.pk != device.pk or not isinstance(other, TOTPDevice):
            other.delete()
    if replaced:
        _replacement_notice_queue(user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


def enrolment_token(user) -> str:
    return signing.dumps(user.pk, salt=ENROLMENT_SALT)


def enrolment_token_user_pk(token: str) -> int:
    """The user a token was made for; `signing.BadSignature` when forged or expired."""
    return signing.loads(token, salt=ENROLMENT_SALT, max_age=ENROLMENT_MAX_AGE)


def _language(user) -> str:
    return user.language or translation.get_language() or settings.LANGUAGE_CODE


def enrolment_link_send(*, user, link: str) -> None:
    """Queue the enrolment link in the outbox (a one-time link: never shown to staff there)."""
    mail_enqueue(
        to=user.email,
        subject=_("Set up two-step verification for the USO portal"),
        text_template="registration/otp_enrolment_email.txt",
        context={"link": link, "hours": ENROLMENT_MAX_AGE // 3600},
        language=_language(user),
        kind="twofactor.enrolment_link",
        about=user,
        sensitive=True,
    )


def _replacement_notice_queue(user) -> None:
    mail_enqueue(
        to=user.email,
        subject=_("Your authenticator app for the USO portal was replaced"),
        text_template="registration/otp_replaced_email.txt",
        context={},
        language=_language(user),
        kind="twofactor.replaced",
        about=user,
    )
