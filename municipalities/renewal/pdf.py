"""The offer letter as a PDF (WeasyPrint), in the municipality's language, fetching nothing."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class _FetchNothing(URLFetcher):
    """The letter carries its CSS inline; any URL it might name is left out."""

    def __init__(self):
        super().__init__(fail_on_errors=False)

    def fetch(self, url, headers=None):
        raise ValueError(f"the offer letter fetches nothing ({url[:100]!r})")


def offer_context(offer) -> dict:
    season = offer.season
    return {
        "offer": offer,
        "season": season,
        "municipality": offer.municipality,
        "themes": list(season.themes.all()),
        "fees": list(offer.fees.all()),
    }


def render_offer_letter(offer) -> bytes:
    with translation.override(offer.language):
        html = render_to_string("municipalities/renewal/offer_letter.html", offer_context(offer))
    return HTML(string=html, base_url=None, url_fetcher=_FetchNothing()).write_pdf()
