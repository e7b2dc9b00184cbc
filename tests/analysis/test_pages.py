"""The analysis pages: who may open what, the page's structure, the PDF report, the XLSX export."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from analysis.models import Indicator, Perspective
from analysis.selectors import PeerGroup
from municipalities.demo import DEMO_MEMBER_CODES, MUNICIPALITIES_CSV
from municipalities.models import Membership, Municipality

from ..conftest import client_for
from ..municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db

INDICATORS_CSV = Path(__file__).resolve().parents[2] / "analysis" / "data" / "indicators.csv"
TURNOUT = "municipal_election_2021_turnout_pct"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def detail(code: str) -> str:
    return reverse("analysis:analysis_detail", args=[code])


@pytest.fixture
def real_data(network):
    """The real data and the demo season's 30 members around the network's A and B."""
    call_command("import_municipalities", str(MUNICIPALITIES_CSV), stdout=io.StringIO())
    call_command("import_indicators", str(INDICATORS_CSV), stdout=io.StringIO())
    season = network.membership_a.season
    for code in sorted(set(DEMO_MEMBER_CODES) - {"980", "562"}):
        MembershipFactory(municipality=Municipality.objects.get(code=code), season=season)
    return network


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("contact_a", "980", 200),
        ("contact_a", "562", 404),
        ("contact_b", "980", 404),
        ("consultant", "980", 200),
        ("consultant", "562", 200),
        ("staff", "980", 200),
        ("staff", "562", 200),
        ("finance", "980", 404),  # finance has no permission to read analyses
    ],
)
def test_a_contact_sees_only_their_own_analysis_staff_and_consultants_any(
    network, persona, code, status
):
    client = client_for(network, persona)
    assert client.get(detail(code)).status_code == status
    pdf = client.get(reverse("analysis:analysis_pdf", args=[code]))
    assert pdf.status_code == status
    assert (pdf["Content-Type"] == "application/pdf") == (status == 200)


def test_an_unknown_municipality_is_not_found(network):
    assert client_for(network, "staff").get(detail("999")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(network):
    client = client_for(network, "anonymous")
    for url in (
        detail("980"),
        reverse("analysis:analysis_home"),
        reverse("analysis:analysis_pdf", args=["980"]),
        reverse("analysis:network_table"),
        reverse("analysis:network_table_xlsx"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_home_sends_a_contact_to_their_own_analysis_and_lists_members_for_staff(network):
    response = client_for(network, "contact_a").get(reverse("analysis:analysis_home"))
    assert response.status_code == 302
    assert response.url == detail("980")

    page = client_for(network, "consultant").get(reverse("analysis:analysis_home"))
    assert page.status_code == 200
    assert f'href="{detail("980")}"' in page.content.decode()
    assert f'href="{detail("562")}"' in page.content.decode()
    assert client_for(network, "finance").get(reverse("analysis:analysis_home")).status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    [("contact_a", 403), ("contact_b", 403), ("finance", 403), ("consultant", 200), ("staff", 200)],
)
def test_network_table_and_its_xlsx_are_for_staff_and_consultants(network, persona, status):
    client = client_for(network, persona)
    assert client.get(reverse("analysis:network_table")).status_code == status
    assert client.get(reverse("analysis:network_table_xlsx")).status_code == status


# --- The page ------------------------------------------------------------------------------------


def test_the_page_groups_the_indicators_under_the_six_perspectives(real_data):
    # when
    content = client_for(real_data, "contact_a").get(detail("980")).content.decode()

    # then: the headings in the perspectives' order
    headings = re.findall(r'<h2 id="perspective-(\w+)">(.*?)</h2>', content)
    with translation.override("fi"):
        expected = [(perspective.value, str(perspective.label)) for perspective in Perspective]
    assert [(key, html.unescape(label)) for key, label in headings] == expected
    # an indicator sits under its own perspective
    sections = dict(
        re.findall(
            r'<section class="perspective" aria-labelledby="perspective-(\w+)">(.*?)</section>',
            content,
            re.S,
        )
    )
    assert 'id="indicator-population"' in sections["population"]
    assert f'id="indicator-{TURNOUT}"' in sections["leadership"]
    assert 'id="indicator-loan_stock_meur"' in sections["finances"]
    with translation.override("fi"):
        empty = gettext("No indicators with data for this perspective yet.")
    assert empty in sections["wellbeing"]  # no indicator defined yet: said, not hidden
    assert empty not in sections["leadership"]


def test_every_indicator_has_a_chart_an_accessible_table_and_its_source(real_data):
    content = client_for(real_data, "contact_a").get(detail("980")).content.decode()

    pattern = r'<article class="indicator" aria-labelledby="indicator-([\w-]+)">(.*?)</article>'
    articles = dict(re.findall(pattern, content, re.S))

    with_data = {row["indicator"] for row in read_csv(INDICATORS_CSV)}
    assert set(articles) == with_data
    for indicator in Indicator.objects.filter(code__in=with_data):
        article = articles[indicator.code]
        assert "<svg" in article and "</svg>" in article
        assert re.search(r'<table class="data-table">\s*<caption>[^<]+</caption>', article)
        assert '<th scope="col">' in article
        assert '<th scope="row">' in article
        assert html.escape(indicator.source) in article
        assert html.escape(indicator.licence) in article


def peer_list(content: str) -> str:
    return re.search(r"<details>(.*?)</details>", content, re.S).group(1)


def test_the_peer_list_and_the_peer_group_selector(real_data):
    client = client_for(real_data, "contact_a")

    # when: the default group (population ±50 %), then the same region
    default = client.get(detail("980")).content.decode()
    region = client.get(detail("980"), {"peers": PeerGroup.REGION}).content.decode()

    # then
    selector = re.search(r'<select id="peer-group" name="peers">(.*?)</select>', default, re.S)
    assert re.findall(r'<option value="(\w+)"', selector.group(1)) == list(PeerGroup.values)
    assert '<option value="population" selected>' in default
    assert '<option value="region" selected>' in region
    assert "Kangasala" in peer_list(default)
    assert "Hyvinkää" in peer_list(default)  # Uusimaa, within ±50 %
    assert "Tampere" not in peer_list(default)
    assert "Tampere" in peer_list(region)
    assert "Hyvinkää" not in peer_list(region)
    assert "Orivesi" not in peer_list(region)  # a member
    assert "peers=region" in region  # the PDF link keeps the chosen group


# --- The PDF report ------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_report_is_in_the_municipalitys_language(real_data):
    # given: Ylöjärvi prefers Swedish
    Municipality.objects.filter(code="980").update(preferred_language="sv")

    # when
    response = client_for(real_data, "contact_a").get(
        reverse("analysis:analysis_pdf", args=["980"])
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="tilanneanalyysi-980.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Ylöjärvi" in text
    indicators = list(Indicator.objects.all())
    assert Indicator.objects.get(code="population").name_sv in text
    assert sum(indicator.name_sv in text for indicator in indicators) >= 3
    assert Indicator.objects.get(code="population").name_fi not in text
    assert "Statistikcentralen" in text and "Statistics Finland" not in text  # sources in Swedish
    assert "CC BY 4.0" in text
    with translation.override("sv"):
        assert gettext("Sources") in text


def test_pdf_report_declares_the_municipalitys_language(real_data):
    """Screen readers and hyphenation follow the document's language (/Lang from <html lang>)."""
    Municipality.objects.filter(code="980").update(preferred_language="sv")

    response = client_for(real_data, "contact_a").get(
        reverse("analysis:analysis_pdf", args=["980"])
    )

    assert PdfReader(io.BytesIO(response.content)).trailer["/Root"].get("/Lang") == "sv"


def test_pdf_report_names_the_municipality_in_its_language(real_data):
    # given: Raasepori, a member whose majority language is Swedish
    raasepori = Municipality.objects.get(code="710")
    assert (raasepori.preferred_language, raasepori.name_sv) == ("sv", "Raseborg")

    # when
    response = client_for(real_data, "staff").get(reverse("analysis:analysis_pdf", args=["710"]))

    # then
    text = pdf_text(response.content)
    assert "Raseborg" in text
    assert "Raasepori" not in text
    assert Indicator.objects.get(code=TURNOUT).name_sv in text


# --- The XLSX export of the network table --------------------------------------------------------


def test_network_table_xlsx_has_one_row_per_member_with_numbers(real_data):
    # given: Pertunmaa, without a turnout, joins too
    MembershipFactory(
        municipality=Municipality.objects.get(code="588"), season=real_data.membership_a.season
    )
    values = {
        row["municipality_code"]: row["value"]
        for row in read_csv(INDICATORS_CSV)
        if row["indicator"] == TURNOUT
    }
    turnout = Indicator.objects.get(code=TURNOUT)

    # when
    response = client_for(real_data, "staff").get(
        reverse("analysis:network_table_xlsx"), {"indicator": TURNOUT, "year": 2021}
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    header, body = rows[0], rows[1:32]
    with translation.override("fi"):
        assert header == (
            gettext("Code"),
            gettext("Municipality"),
            f"{turnout.name_fi} 2021 (%)",
            gettext("Rank"),
        )
    codes = set(
        Membership.objects.filter(season=real_data.membership_a.season).values_list(
            "municipality__code", flat=True
        )
    )
    assert len(codes) == 31
    assert {row[0] for row in body} == codes
    for code, name, value, rank in body:
        assert name == Municipality.objects.get(code=code).name_fi
        if code == "588":
            assert (value, rank) == (None, None)
        else:
            assert isinstance(value, int | float)
            assert value == float(values[code])
            assert isinstance(rank, int)
    assert all(cell is None for cell in rows[32])
    with translation.override("fi"):
        assert rows[33][:2] == (gettext("Source"), f"{turnout.source} ({turnout.licence})")
    assert len(rows) == 34


def test_units_are_shown_in_the_readers_language_and_a_year_is_not_repeated(real_data):
    client = client_for(real_data, "contact_a")
    finnish = html.unescape(client.get(detail("980")).content.decode())
    assert "henkeä" in finnish and "persons" not in finnish
    assert "Äänestysprosentti" in finnish
    assert "2021 2021" not in finnish
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    swedish = html.unescape(client.get(detail("980")).content.decode())
    assert "personer" in swedish and "persons" not in swedish


def test_a_consultants_network_table_has_their_municipalities_ranked_in_the_network(real_data):
    # given: the consultant is responsible for A and B only, among the season's 30 members
    query = {"indicator": TURNOUT, "year": 2021}

    def body(persona: str) -> dict[str, tuple]:
        response = client_for(real_data, persona).get(reverse("analysis:network_table_xlsx"), query)
        assert response.status_code == 200
        rows = load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
        return {row[0]: row for row in list(rows)[1:] if row[0] and row[0].isdigit()}

    # when
    everyone, mine = body("staff"), body("consultant")

    # then: two rows, with the ranks they have among all 30 members
    assert len(everyone) == 30
    assert set(mine) == {"980", "562"}
    assert mine == {code: everyone[code] for code in ("980", "562")}
    page = client_for(real_data, "consultant").get(reverse("analysis:network_table"), query)
    assert page.status_code == 200
    assert [row["municipality"].code for row in page.context["rows"]] == ["562", "980"]


# --- The comparison group: neighbours, additions and removals -------------------------------------


def test_the_peer_list_is_changeable_and_unknown_entries_are_ignored_with_a_message(real_data):
    client = client_for(real_data, "contact_a")

    # when: Tampere (a larger city) added by name, Kangasala removed by code, two unknowns
    response = client.get(
        detail("980"), {"add": "tampere, 999, Atlantis", "drop": "211", "peers": "population"}
    )

    # then
    assert response.status_code == 200
    content = response.content.decode()
    peers = {m.code for m in response.context["peers"]}
    assert "837" in peers and "211" not in peers
    with translation.override("fi"):
        assert gettext("Not recognised and ignored:") in content
    assert "999, Atlantis" in content
    # the changes are kept in the form and in the PDF link
    assert '<input type="hidden" name="add" value="837">' in content
    assert '<input type="hidden" name="drop" value="211">' in content
    assert "add=837&amp;drop=211" in content


def test_neighbours_are_a_peer_group(real_data):
    from . import data

    data.neighbours("980")
    response = client_for(real_data, "contact_a").get(detail("980"), {"peers": "neighbours"})
    # neighbours.csv: Hämeenkyrö, Ikaalinen, Kihniö, Nokia, Parkano, Ruovesi, Tampere, Virrat
    assert {m.code for m in response.context["peers"]} == {
        "108", "143", "250", "536", "581", "702", "837", "936"
    }  # fmt: skip
    assert '<option value="neighbours" selected>' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"peers": "\x00"},
        {"peers": "population\x00", "season": "\x00" * 50},
        {"add": "\x00\x01\x1f" * 1000, "drop": "x" * 10_000},
        {"add": ["980"] * 500, "drop": [",;,"] * 100},
        {"season": "ä" * 5000, "peers": "neighbours"},
        {"add": "<script>alert(1)</script>"},
    ],
)
def test_hostile_query_strings_give_a_page_never_an_error(real_data, query):
    # (the portal's middleware answers 400 to a query string with control characters)
    client = client_for(real_data, "staff")
    for name in ("analysis:analysis_detail", "analysis:analysis_pdf"):
        response = client.get(reverse(name, args=["980"]), query)
        assert response.status_code in (200, 400)
    page = client.get(detail("980"), query).content.decode()
    assert "<script>alert(1)</script>" not in page
    for name in ("analysis:network_overview", "analysis:network_table"):
        response = client.get(reverse(name), {"sort": query.get("add", "\x00"), **query})
        assert response.status_code in (200, 400)


def test_over_long_peer_edits_are_cut_not_refused(real_data):
    response = client_for(real_data, "staff").get(
        detail("980"), {"add": ",".join(["tampere"] * 400) + ",nowhere", "drop": "y" * 9000}
    )
    assert response.status_code == 200
    assert "837" in {m.code for m in response.context["peers"]}


def test_a_finnish_page_and_pdf_name_their_sources_and_licences_in_finnish(real_data):
    """The definitions' English provenance texts never reach a Finnish reader."""
    client = client_for(real_data, "contact_a")
    page = html.unescape(client.get(detail("980")).content.decode())
    pdf = client.get(reverse("analysis:analysis_pdf", args=["980"]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for content in (page, " ".join(text.split())):
        assert "Tilastokeskus" in content
        assert "Statistics Finland" not in content
        assert "Source:" not in content and "Licence:" not in content
