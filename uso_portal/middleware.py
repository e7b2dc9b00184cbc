"""Language selection: Finnish unless the person chose otherwise.

Order: the language cookie set by the switcher, then the logged-in user's preferred language,
then `LANGUAGE_CODE` (Finnish). The browser's Accept-Language is deliberately not used: the
portal is Finnish first, and an English operating system says little about a Finnish official's
preference. Replaces Django's LocaleMiddleware; sits after AuthenticationMiddleware.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in SUPPORTED:
        return chosen
    user = getattr(request, "user", None)
    preferred = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    return preferred if preferred in SUPPORTED else settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
