"""GET parameters parsed by form fields: a missing or invalid value is the default, never a
server error (`?year=²`, `?membership=abc`, a 10 000-character slug)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def query_param(request: HttpRequest, name: str, field: forms.Field, default=None):
    """`request.GET[name]` cleaned by `field`; `default` when it is absent, empty or invalid."""
    value = request.GET.get(name)
    if value in (None, ""):
        return default
    try:
        cleaned = field.clean(value)
    except ValidationError:
        return default
    return default if cleaned in (None, "") else cleaned
