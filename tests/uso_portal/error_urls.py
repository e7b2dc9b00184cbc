"""A URLconf for tests/uso_portal/test_error_pages.py: the portal's URLs plus a view that fails."""

from django.urls import path

from uso_portal.urls import handler400, handler500
from uso_portal.urls import urlpatterns as portal_patterns

__all__ = ["handler400", "handler500", "urlpatterns"]


class DeliberateError(Exception):
    pass


def boom(request):
    raise DeliberateError("a deliberate failure for the 500 page test")


urlpatterns = [path("test-only/boom/", boom), *portal_patterns]
