"""The portal's own 500 page and CSRF failure page.

Django's default `server_error` renders `500.html` without a request context: the page loses the
portal's name, and its language switcher has no CSRF token, so switching there ends on Django's
raw 403 page. `server_error` renders the branded page with the request (CSRF token, language,
user), and falls back to a static page when rendering itself fails (a broken database or
template must not turn the error page into another error). `csrf_failure` explains, in the
visitor's language, that the form had expired, with a link back.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from .middleware import language_for

logger = logging.getLogger(__name__)

# Shown when even the branded page cannot be rendered: no template, no database, no translation.
STATIC_500 = """<!doctype html>
<html lang="fi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Palvelinvirhe · {name}</title></head>
<body>
<header><a href="/"><strong>{name}</strong> – Uuden sukupolven organisaatiot</a></header>
<main>
<h1>Palvelinvirhe</h1>
<p>Palvelussa tapahtui virhe. Virheestä on ilmoitettu; yritä myöhemmin uudelleen.</p>
<p lang="sv">Ett fel inträffade i tjänsten. Felet har rapporterats; försök igen senare.</p>
<p lang="en">Something went wrong on our side. The error has been reported; please try again
later.</p>
<p><a href="/">Etusivulle</a></p>
</main>
</body>
</html>
"""


def _safe_language(request: HttpRequest) -> str:
    try:
        return language_for(request)
    except Exception:  # the user could not be loaded (database down)
        return settings.LANGUAGE_CODE


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the branded 500 page with the request's context, or a static one."""
    try:
        with translation.override(_safe_language(request)):
            return render(request, "500.html", status=500)
    except Exception:
        logger.exception("The 500 page could not be rendered; the static one was sent")
        return HttpResponseServerError(STATIC_500.format(name=escape(settings.PORTAL_NAME)))


def _back_url(request: HttpRequest) -> str:
    """Where the expired form was: the Referer when it is this site, else the front page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form expired (or cookies are off); say so and link back."""
    # Django has logged the failure (django.security.csrf) before calling this view.
    with translation.override(_safe_language(request)):
        return render(request, "403_csrf.html", {"back_url": _back_url(request)}, status=403)
