"""The second-factor pages: verification, enrolment and the e-mailed enrolment link."""

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from . import services

ENROLMENT_SESSION_KEY = "otp_enrolment_user"


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


def _with_next(url: str, request: HttpRequest) -> str:
    return f"{url}?{urlencode({'next': _next_url(request)})}"


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
            if isinstance(device, StaticDevice):
                _backup_codes_left(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            _("The code is wrong or has expired. After several wrong codes, wait a moment."),
        )
    context = {"form": form, "next": _next_url(request)}
    return render(request, "registration/otp_verify.html", context)


def _backup_codes_left(request: HttpRequest, device: StaticDevice) -> None:
    left = device.token_set.count()
    text = ngettext(
        "You used a backup code: %(count)d is left. Replacing your app gives new ones.",
        "You used a backup code: %(count)d are left. Replacing your app gives new ones.",
        left,
    ) % {"count": left}
    messages.warning(request, text)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app; a verified user may replace theirs the same way."""
    _staff_only(request)
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect_to_login(_next_url(request), reverse("otp_verify"))
    if not _may_enrol(request):
        return _enrolment_link(request)
    device = services.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            codes = services.device_confirm(user=request.user, device=device)
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
        token = services.enrolment_token(request.user)
        link = request.build_absolute_uri(_with_next(reverse("otp_enrol", args=[token]), request))
        services.enrolment_link_send(user=request.user, link=link)
    context = {"sent": sent, "email": request.user.email, "next": _next_url(request)}
    return render(request, "registration/otp_enrolment_link.html", context)


@login_required
@require_http_methods(["GET"])
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: it opens enrolment for the same logged-in user within the hour."""
    _staff_only(request)
    try:
        user_pk = services.enrolment_token_user_pk(token)
    except signing.BadSignature as error:  # also SignatureExpired
        raise Http404("The link is invalid or has expired.") from error
    if user_pk != request.user.pk:
        raise Http404("The link is someone else's.")
    request.session[ENROLMENT_SESSION_KEY] = user_pk
    return redirect(_with_next(reverse("otp_setup"), request))
