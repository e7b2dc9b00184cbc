"""Two-factor authentication (TOTP, django-otp) for staff, consultants and finance.

Every user with staff status must have passed a second factor in this session before any page
but the second-factor pages themselves, logout, language choice and `/healthz`. Someone without an
authenticator app yet is sent to enrolment (QR code + the secret as text); enrolment confirms the
app with one code and hands out ten single-use backup codes. Municipal contact persons are not
affected. django-otp throttles wrong codes per device (growing delays).

A password alone does not enrol: someone who has a staff member's password but not their
mailbox must not be able to register their own app. Until the person has passed a second factor,
enrolment opens only through a signed link e-mailed to their address (valid for an hour, only for
the same logged-in user). A verified user replaces their app without it.
"""

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

EXEMPT_URL_NAMES = {
    "otp_verify",
    "otp_setup",
    "otp_enrol",
    "logout",
    "admin:logout",
    "set_language",
    "healthz",
}
BACKUP_CODE_COUNT = 10
ENROLMENT_SALT = "uso_portal.twofactor.enrolment"
ENROLMENT_MAX_AGE = 3600  # seconds
ENROLMENT_SESSION_KEY = "otp_enrolment_user"


def second_factor_required(user) -> bool:
    return user.is_authenticated and user.is_staff and not user.is_verified()


class SecondFactorRequiredMiddleware:
    """Send a staff user who has not passed the second factor to verification or enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if second_factor_required(request.user) and not self._exempt(request):
            target = "otp_verify" if user_has_device(request.user) else "otp_setup"
            return redirect_to_login(request.get_full_path(), reverse(target))
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # a 404 page reveals nothing
        return match.view_name in EXEMPT_URL_NAMES


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        help_text=_("The six digits your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split()).lower()


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if safe and target:
        return target
    return reverse("admin:index") if request.user.is_staff else "/"


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the authenticator app (or a backup code)."""
    _staff_only(request)
    if not user_has_device(request.user):
        return redirect_to_login(_next_url(request), reverse("otp_setup"))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            _("The code is wrong or has expired. After several wrong codes, wait a moment."),
        )
    context = {"form": form, "next": _next_url(request)}
    return render(request, "registration/otp_verify.html", context)


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@transaction.atomic
def _confirm(user, device: TOTPDevice) -> list[str]:
    """Make `device` the user's only authenticator and issue fresh backup codes."""
    for other in devices_for_user(user, confirmed=None):
        if other.pk != device.pk or not isinstance(other, TOTPDevice):
            other.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app; a verified user may replace theirs the same way."""
    _staff_only(request)
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect_to_login(_next_url(request), reverse("otp_verify"))
    if not _may_enrol(request):
        return _enrolment_link(request)
    device = _pending_device(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            codes = _confirm(request.user, device)
            otp_login(request, device)
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "registration/otp_backup_codes.html", context)
        form.add_error("otp_token", _("The code is wrong or has expired. Try the next code."))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=4, light="#fff", title=str(_("QR code for the authenticator app"))
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "registration/otp_setup.html", context)


def _may_enrol(request: HttpRequest) -> bool:
    return request.user.is_verified() or (
        request.session.get(ENROLMENT_SESSION_KEY) == request.user.pk
    )


def _enrolment_link(request: HttpRequest) -> HttpResponse:
    """The page that e-mails the enrolment link (on the person's request)."""
    sent = request.method == "POST" and "send_link" in request.POST
    if sent:
        token = signing.dumps(request.user.pk, salt=ENROLMENT_SALT)
        link = request.build_absolute_uri(reverse("otp_enrol", args=[token]))
        context = {"link": f"{link}?{urlencode({'next': _next_url(request)})}", "hours": 1}
        send_mail(
            subject=str(_("Set up two-step verification for the USO portal")),
            message=render_to_string("registration/otp_enrolment_email.txt", context),
            from_email=None,
            recipient_list=[request.user.email],
        )
    context = {"sent": sent, "email": request.user.email, "next": _next_url(request)}
    return render(request, "registration/otp_enrolment_link.html", context)


@login_required
@require_http_methods(["GET"])
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: it opens enrolment for the same logged-in user within the hour."""
    _staff_only(request)
    try:
        user_pk = signing.loads(token, salt=ENROLMENT_SALT, max_age=ENROLMENT_MAX_AGE)
    except signing.BadSignature as error:  # also SignatureExpired
        raise Http404("The link is invalid or has expired.") from error
    if user_pk != request.user.pk:
        raise Http404("The link is someone else's.")
    request.session[ENROLMENT_SESSION_KEY] = user_pk
    return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next_url(request)})}")
