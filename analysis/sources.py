"""The publishers of the analysis' values (`Source` rows, created by migrations 0003 and 0004) and
the provenance codes of the bundled files that name them (data/SOURCES.md).

A lower priority number wins where two sources give the same municipality, indicator and year:
Statistics Finland's own series (10), then THL Sotkanet, which republishes Statistics Finland's
data (15), then a municipality's own publication (50); a value stored without a source comes last.
Staff may change the priorities in the admin.
"""

from __future__ import annotations

import re

STATISTICS_FINLAND = "statistics-finland"
THL_SOTKANET = "thl-sotkanet"
MUNICIPALITY_OWN = "municipality-own"
UNSPECIFIED = "unspecified"

# code, names fi/sv/en, licences fi/sv/en, address, priority
SOURCES = [
    (STATISTICS_FINLAND, "Tilastokeskus", "Statistikcentralen", "Statistics Finland",
     "CC BY 4.0", "CC BY 4.0", "CC BY 4.0", "https://stat.fi/", 10),
    (THL_SOTKANET, "THL Sotkanet (tiedontuottaja Tilastokeskus)",
     "THL Sotkanet (dataproducent Statistikcentralen)",
     "THL Sotkanet (data producer Statistics Finland)",
     "CC BY 4.0 (Tilastokeskus); lähde mainittava",
     "CC BY 4.0 (Statistikcentralen); källan ska anges",
     "CC BY 4.0 (Statistics Finland); the source must be cited", "https://sotkanet.fi/", 15),
    (MUNICIPALITY_OWN, "Kunnan oma julkaisu", "Kommunens egen publikation",
     "The municipality's own publication", "Julkinen tieto, lähde mainitaan",
     "Offentlig information, källan anges", "Public information, the source is cited", "", 50),
    (UNSPECIFIED, "Lähde ei tiedossa", "Källan okänd", "Source not stated", "–", "–", "–", "",
     1000),
]  # fmt: skip

# Provenance codes of the bundled files (data/SOURCES.md) -> Source code. "derived …" rows name
# the code of what they were computed from ("derived from S2 …", "derived: sum … from H1").
PROVENANCE = {
    "S1": STATISTICS_FINLAND,  # classification
    "S2": THL_SOTKANET,  # Sotkanet indicator 127, data producer Statistics Finland
    "S7": STATISTICS_FINLAND,  # municipal elections 2021
    "S8": MUNICIPALITY_OWN,  # City of Ylöjärvi's press releases
    "S9": MUNICIPALITY_OWN,  # Oivaseutu reporting Ylöjärvi's draft statements
    "S10": MUNICIPALITY_OWN,  # City of Lappeenranta's key figures
    "H1": STATISTICS_FINLAND,  # Kuntien avainluvut 2006–2016
    "H2": STATISTICS_FINLAND,  # Kuntien avainluvut 2017
    "T1": STATISTICS_FINLAND,  # StatFin 11re
    "T2": STATISTICS_FINLAND,  # kta_11 financial statements
    "T3": STATISTICS_FINLAND,  # kta_19 key figures 2020
    "T4": STATISTICS_FINLAND,  # StatFin 116h
}
CODE = re.compile(r"\b(S\d{1,2}|H\d|T\d)\b")
# Provenance without a code (a file staff upload, a PxWeb table): read by the publisher's name.
NAMES = (
    (("tilastokeskus", "statistics finland", "statistikcentralen", "statfin", "stat.fi"),
     STATISTICS_FINLAND),
    (("sotkanet",), THL_SOTKANET),
)  # fmt: skip


# "derived: …" (with the colon) is the bundled files' recomputation of Statistics Finland's own
# counts on the 2021 division (Kankaanpää + Honkajoki, Nurmes + Valtimo; SOURCES.md, H1).
RECOMPUTED = "derived: "


def source_code_for(provenance: str) -> str:
    """The code of the `Source` that published a value, from its provenance text."""
    for code in CODE.findall(provenance):
        if code in PROVENANCE:
            return PROVENANCE[code]
    if provenance.startswith(RECOMPUTED) and "division" in provenance:
        return STATISTICS_FINLAND
    text = provenance.casefold()
    for words, source in NAMES:
        if any(word in text for word in words):
            return source
    return UNSPECIFIED


def source_for(provenance: str, sources: dict[str, int]) -> int:
    """The `Source` id of a value, from its provenance text; `sources` maps codes to ids."""
    return sources[source_code_for(provenance)]


def ensure_sources(source_model) -> None:
    """Create or update the sources above (a migration passes its historical model); staff's
    priorities are kept once a source exists."""
    for code, fi, sv, en, lfi, lsv, len_, url, priority in SOURCES:
        fields = {"name_fi": fi, "name_sv": sv, "name_en": en, "licence_fi": lfi,
                  "licence_sv": lsv, "licence_en": len_, "url": url}  # fmt: skip
        source, created = source_model.objects.get_or_create(
            code=code, defaults={**fields, "priority": priority}
        )
        if not created:
            for name, value in fields.items():
                setattr(source, name, value)
            source.save(update_fields=list(fields))
