"""Staff users pass the second factor before anything else."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

EXEMPT_URL_NAMES = {
    "otp_verify",
    "otp_setup",
    "otp_enrol",
    "logout",
    "admin:logout",
    "set_language",
    "healthz",
}


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
