"""Template context shared by every page; makes no database query."""

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {"portal_name": settings.PORTAL_NAME}
