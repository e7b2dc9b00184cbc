"""Small helpers for data kept in several languages (fields `<name>_fi`, `<name>_sv`, ...)."""

from typing import Any

from django.utils.translation import get_language

FALLBACK_LANGUAGE = "fi"


def current_language() -> str:
    """The active language as a bare code (`fi`, `sv`, `en`)."""
    return (get_language() or FALLBACK_LANGUAGE).split("-")[0]


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """`obj.<field>_<language>`, falling back to Finnish when that one is missing or empty."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", "") or ""
    return value or getattr(obj, f"{field}_{FALLBACK_LANGUAGE}", "") or ""
