"""ASGI entry point. The body limit wraps the application: under ASGI Django reads the whole body
before any middleware runs (see uso_portal/guards.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uso_portal.settings")

django_application = get_asgi_application()

from uso_portal.guards import asgi_body_limit  # noqa: E402  (needs the settings configured)

application = asgi_body_limit(django_application)
