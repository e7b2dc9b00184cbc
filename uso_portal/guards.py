"""Requests refused before any view runs, and responses that no cache may keep.

`RequestGuardMiddleware` (first in MIDDLEWARE) answers, without reading the body:

- 413 when the Content-Length is above `REQUEST_MAX_MEGABYTES` (an upload at the limit plus its
  form fits), 411 for a body without a Content-Length (chunked), 400 for a malformed one;
- 400 when the path, the query string or a header holds a control character (NUL among them:
  PostgreSQL cannot even compare a text with it), or when the query string is not UTF-8.

Each refusal is a page in the visitor's language that says what to do; nothing reaches a view, a
form or the database. `NoStoreMiddleware` marks every response to a logged-in user, and every
download, `Cache-Control: private, no-store`: invoices, exports and private pages are not kept by
browsers or proxies after logout. `asgi_body_limit` bounds the body under ASGI, where Django
reads the whole body before any middleware.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .middleware import language_for

MEGABYTE = 1024 * 1024
# C0 controls and DEL; a query string and headers may carry a tab, a query string line breaks.
PATH_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
QUERY_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADER_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def request_max_bytes() -> int:
    return settings.REQUEST_MAX_MEGABYTES * MEGABYTE


def _query_text(raw: str) -> str | None:
    """The query string decoded; None when its bytes are not UTF-8. (The path needs no such
    check: Django keeps bytes that are not UTF-8 percent-encoded, and no URL matches them.)"""
    try:
        data = raw.encode("iso-8859-1")
    except UnicodeEncodeError:
        data = raw.encode("utf-8")
    try:
        return unquote_to_bytes(data.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def bad_characters(request: HttpRequest) -> bool:
    if PATH_FORBIDDEN.search(request.path_info):
        return True
    query = _query_text(request.META.get("QUERY_STRING", ""))
    if query is None or QUERY_FORBIDDEN.search(query):
        return True
    return any(
        HEADER_FORBIDDEN.search(value)
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    )


def refusal(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    return render(request, "400.html", {"message": message, "status": status}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """handler400: Django's own refusals (too many fields, a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host header) on the portal's page."""
    with translation.override(language_for(request)):
        return refusal(request, 400)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.refuse(request)
        if refused is None:
            return self.get_response(request)
        status, message = refused
        with translation.override(language_for(request)):
            return refusal(request, status, message)

    @staticmethod
    def refuse(request: HttpRequest) -> tuple[int, str] | None:
        if bad_characters(request):
            return 400, _(
                "The address contains characters that are not allowed. Check the link, or go "
                "to the front page."
            )
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return 411, _("The request has no length. Send it again from the portal's form.")
            return None
        if not length.isascii() or not length.isdigit():
            return 400, _("The request's length is not a number.")
        if int(length) > request_max_bytes():
            return 413, _(
                "The request is too large (%(size).1f MB): the portal accepts at most "
                "%(limit)d MB at a time. Send large files one at a time; nothing was saved."
            ) % {"size": int(length) / MEGABYTE, "limit": settings.REQUEST_MAX_MEGABYTES}
        return None


def is_download(response: HttpResponse) -> bool:
    return response.get("Content-Disposition", "").startswith("attachment") or getattr(
        response, "streaming", False
    )


class NoStoreMiddleware:
    """After AuthenticationMiddleware; static files (whitenoise, earlier) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or is_download(response):
            patch_cache_control(response, private=True, no_store=True)
        return response


def asgi_body_limit(application):
    """Refuse an ASGI request whose body grows past REQUEST_MAX_MEGABYTES with 413, whether or
    not it announced a Content-Length; the body is read at most to the limit."""

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await application(scope, receive, send)
        limit = request_max_bytes()
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            return await _too_large(send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                return await _too_large(send)
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        return await application(scope, replay, send)

    return guarded


async def _too_large(send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": b"Request body too large\n"})
