"""The indicator definitions of the bundled Statistics Finland data, and who may read analyses.

Network staff and consultants open every municipality's analysis and the network table;
a municipal contact sees their own municipality's analysis (no permission needed).
"""

from django.db import migrations

from municipalities.roles import VIEW, grant_permissions

SF = "Statistics Finland (Tilastokeskus)"
CC_BY = "CC BY 4.0"
YLOJARVI = (
    "City of Ylöjärvi, press releases on the approved financial statements 2019–2021 (ylojarvi.fi)"
)
PUBLIC = "Public information; the source is cited"

# code, fi, sv, en, perspective, unit, decimals, direction, source, licence
INDICATORS = [
    ("population", "Asukasluku 31.12.", "Invånarantal 31.12.", "Population on 31 December",
     "population", "persons", 0, "neutral",
     f"{SF}, population on 31 December; via THL Sotkanet indicator 127", CC_BY),
    ("population_change_pct", "Väestönmuutos", "Befolkningsförändring", "Population change",
     "population", "%", 2, "higher",
     f"Derived from {SF} population on 31 December (change from the previous year)", CC_BY),
    ("tax_revenue_total_meur", "Verotulot yhteensä", "Skatteintäkter totalt", "Tax revenue, total",
     "vitality", "M€", 1, "higher", YLOJARVI, PUBLIC),
    ("municipal_income_tax_revenue_meur", "Kunnallisverotulot", "Kommunalskatteintäkter",
     "Municipal income tax revenue", "vitality", "M€", 1, "higher", YLOJARVI, PUBLIC),
    ("gross_investments_meur", "Bruttoinvestoinnit", "Bruttoinvesteringar", "Gross investments",
     "vitality", "M€", 1, "neutral", YLOJARVI, PUBLIC),
    ("municipal_income_tax_rate_pct", "Kunnallisveroprosentti", "Kommunalskattesats",
     "Municipal income tax rate", "finances", "%", 2, "lower", YLOJARVI, PUBLIC),
    ("loan_stock_eur_per_inhabitant", "Lainakanta asukasta kohden", "Lånestock per invånare",
     "Loan stock per inhabitant", "finances", "€/inhabitant", 0, "lower",
     f"{YLOJARVI}; City of Lappeenranta, key figures 31.12.2021 (lappeenranta.fi)", PUBLIC),
    ("loan_stock_meur", "Lainakanta", "Lånestock", "Loan stock", "finances", "M€", 1, "lower",
     YLOJARVI, PUBLIC),
    ("financial_year_result_meur", "Tilikauden tulos", "Räkenskapsperiodens resultat",
     "Result of the financial year", "finances", "M€", 1, "higher", YLOJARVI, PUBLIC),
    ("financial_year_surplus_meur", "Tilikauden yli-/alijäämä", "Räkenskapsperiodens över-/underskott",
     "Surplus or deficit of the financial year", "finances", "M€", 1, "higher", YLOJARVI, PUBLIC),
    ("annual_contribution_margin_meur", "Vuosikate", "Årsbidrag", "Annual contribution margin",
     "finances", "M€", 1, "higher", "Oivaseutu (local newspaper) 26.3.2021, draft financial statements", PUBLIC),
    ("annual_contribution_margin_eur_per_inhabitant", "Vuosikate asukasta kohden", "Årsbidrag per invånare",
     "Annual contribution margin per inhabitant", "finances", "€/inhabitant", 0, "higher",
     "City of Lappeenranta, key figures 31.12.2021 (lappeenranta.fi)", PUBLIC),
    ("municipal_election_2021_turnout_pct", "Äänestysaktiivisuus, kuntavaalit 2021",
     "Valdeltagande, kommunalvalet 2021", "Voter turnout, municipal elections 2021",
     "leadership", "%", 1, "higher",
     f"Derived from {SF}, StatFin municipal elections 2021 (voters / eligible voters)", CC_BY),
    ("municipal_election_2021_turnout_women_pct", "Naisten äänestysaktiivisuus 2021",
     "Kvinnornas valdeltagande 2021", "Turnout of women 2021", "leadership", "%", 1, "higher",
     f"{SF}, StatFin municipal elections 2021, table 12x4", CC_BY),
    ("municipal_election_2021_turnout_men_pct", "Miesten äänestysaktiivisuus 2021",
     "Männens valdeltagande 2021", "Turnout of men 2021", "leadership", "%", 1, "higher",
     f"{SF}, StatFin municipal elections 2021, table 12x4", CC_BY),
    ("municipal_election_2021_candidates", "Ehdokkaat, kuntavaalit 2021", "Kandidater, kommunalvalet 2021",
     "Candidates, municipal elections 2021", "leadership", "persons", 0, "higher",
     f"{SF}, StatFin municipal elections 2021, table 12xf", CC_BY),
    ("municipal_election_2021_candidates_women", "Naisehdokkaat 2021", "Kvinnliga kandidater 2021",
     "Women candidates 2021", "leadership", "persons", 0, "higher",
     f"{SF}, StatFin municipal elections 2021, table 12xf", CC_BY),
    ("municipal_election_2021_eligible_voters", "Äänioikeutetut 2021", "Röstberättigade 2021",
     "Eligible voters 2021", "leadership", "persons", 0, "neutral",
     f"{SF}, StatFin municipal elections 2021, table 12x4", CC_BY),
    ("municipal_election_2021_voters", "Äänestäneet 2021", "Röstande 2021", "Voters 2021",
     "leadership", "persons", 0, "neutral", f"{SF}, StatFin municipal elections 2021, table 12x4", CC_BY),
]  # fmt: skip

GRANTS = {
    "network_staff": {"analysis.indicator": VIEW, "analysis.indicatorvalue": VIEW},
    "consultant": {"analysis.indicator": VIEW, "analysis.indicatorvalue": VIEW},
}


def forwards(apps, schema_editor):
    Indicator = apps.get_model("analysis", "Indicator")
    for position, row in enumerate(INDICATORS):
        code, fi, sv, en, perspective, unit, decimals, direction, source, licence = row
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "perspective": perspective,
                "unit": unit,
                "decimals": decimals,
                "direction": direction,
                "source": source,
                "licence": licence,
                "position": position,
            },
        )
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_initial"),
        ("municipalities", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
