"""What every PDF of the portal shares: WeasyPrint's font configuration made once per thread,
a URL fetcher that fetches nothing, and `write_pdf` that renders HTML with both.

A `URLFetcher` builds a urllib opener whose default SSL context loads the system's
certificates (about 30 ms, more than a one-page document's layout) and a `FontConfiguration`
sets up fontconfig and Pango's font map (about 4 ms): made for every document, they were a large
part of a short document's time. Neither holds per-document state (the templates declare no
`@font-face`), so each thread makes them once. Apps with an allow-list of their own (billing's
`RestrictedURLFetcher`) pass their fetcher to `write_pdf`.
"""

from __future__ import annotations

import functools
import threading

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_fonts = threading.local()


def shared_font_config() -> FontConfiguration:
    """WeasyPrint's font configuration, one per thread."""
    if (config := getattr(_fonts, "config", None)) is None:
        config = _fonts.config = FontConfiguration()
    return config


class FetchNothing(URLFetcher):
    """For documents that carry their CSS and images inline: any URL they name is left out."""

    def __init__(self):
        super().__init__(fail_on_errors=False)

    def fetch(self, url, headers=None):
        raise ValueError(f"this document fetches nothing ({url[:100]!r})")


@functools.cache
def fetch_nothing() -> FetchNothing:
    return FetchNothing()


def write_pdf(html: str, url_fetcher: URLFetcher | None = None) -> bytes:
    """The PDF of `html` (no base URL: nothing relative resolves), with the shared fonts."""
    document = HTML(string=html, base_url=None, url_fetcher=url_fetcher or fetch_nothing())
    return document.write_pdf(font_config=shared_font_config())
