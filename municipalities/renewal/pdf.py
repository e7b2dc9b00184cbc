"""The offer letter as a PDF (WeasyPrint), in the municipality's language, fetching nothing."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from uso_portal.pdf import write_pdf


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
    return write_pdf(html)
