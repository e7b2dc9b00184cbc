"""Test settings: only speed and determinism differ from `settings`."""

import tempfile

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="uso-test-media-")
STORAGES = {
    **STORAGES,
    "invoice_documents": {
        "BACKEND": "billing.storage.AtomicFileSystemStorage",
        "OPTIONS": {"durable": False},  # no fsync per document in tests
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
STATIC_ROOT = None  # whitenoise serves from the finders in tests; nothing is collected
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True  # finds files per request: no scan of every file per test client

# Templates used only by tests (e.g. a dashboard panel registered by a test).
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
