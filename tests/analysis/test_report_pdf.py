"""The report a municipality receives (`reports.report_pdf_for`), read back with pypdf: cover,
summary, the six perspectives, sources and licences, page numbers, in its language."""

import datetime
import io
import re

import pytest
from django.utils import formats, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from analysis import reports
from analysis.models import Indicator, Perspective
from analysis.selectors import DEFAULT_PEER_GROUP, analysis_for
from municipalities.demo import DEMO_MEMBER_CODES
from municipalities.models import Membership, Municipality

from ..municipalities.factories import MembershipFactory
from . import data

pytestmark = pytest.mark.django_db

MARGIN = "annual_contribution_margin_eur_per_inhabitant"
LOADED = [MARGIN, "demographic_dependency_ratio", "employment_rate_pct"]
# a few members are enough here (speed); the comparisons are tested in test_summary.py
MEMBERS = ["980", "562", "710", "245", "179"]


@pytest.fixture
def bundled(network):
    data.municipalities()
    data.load(LOADED)
    season = network.membership_a.season
    taken = set(
        Membership.objects.filter(season=season).values_list("municipality__code", flat=True)
    )
    for code in sorted(set(MEMBERS) - taken):
        MembershipFactory(municipality=Municipality.objects.get(code=code), season=season)
    return network


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_finnish_report_has_cover_summary_perspectives_sources_and_page_numbers(bundled):
    # given
    ylojarvi = Municipality.objects.get(code="980")
    season = bundled.membership_a.season
    with translation.override("fi"):
        _context, groups = analysis_for(
            municipality=ylojarvi, season=season, peer_group=DEFAULT_PEER_GROUP
        )
        margin = next(c for _p, items in groups for c in items if c.indicator.code == MARGIN)
        figure = reports.number(margin.value, margin.indicator.decimals)

    # when
    reader, text = text_of(reports.report_pdf_for(ylojarvi, season, "fi"))

    # then
    assert reader.trailer["/Root"].get("/Lang") == "fi"
    assert "Ylöjärvi" in text
    assert season.name in text
    with translation.override("fi"):
        assert formats.date_format(datetime.date.today(), "j.n.Y") in text
        assert gettext("Summary") in text
        for perspective in Perspective:
            assert str(perspective.label) in text
        assert gettext("Sources and licences") in text
        margin_indicator = Indicator.objects.get(code=MARGIN)
        assert margin_indicator.name_fi in text
        # each source of the indicator once, "computed (from X)" as X
        assert "laskettu" in margin_indicator.source
        for source in (
            "Tilastokeskus, Kuntien avainluvut",
            "Tilastokeskus, kuntien talous, tilinpäätökset (kta_11)",
            "Ylöjärven kaupungin tiedotteet tilinpäätöksistä",
        ):
            assert text.count(source) == 1, source
    assert f"{margin.year}: {figure}" in text  # the headline figure with its year
    assert "CC BY 4.0" in text
    pages = len(reader.pages)
    assert f"1 / {pages}" in reader.pages[0].extract_text()
    assert f"{pages} / {pages}" in reader.pages[-1].extract_text()


def test_the_swedish_report_names_the_municipality_and_indicators_in_swedish(bundled):
    # given: Raasepori, a Swedish-speaking member
    raasepori = Municipality.objects.get(code="710")
    assert raasepori.preferred_language == "sv"
    swedish = "Statistikcentralen, Kommunernas nyckeltal"
    Indicator.objects.filter(code=MARGIN).update(source_sv=swedish)

    # when: no language given, the municipality's own
    reader, text = text_of(reports.report_pdf_for(raasepori, bundled.membership_a.season))

    # then
    assert reader.trailer["/Root"].get("/Lang") == "sv"
    assert "Raseborg" in text and "Raasepori" not in text
    margin = Indicator.objects.get(code=MARGIN)
    assert margin.name_sv in text
    assert margin.name_fi not in text
    assert "Statistikcentralen, Kommunernas nyckeltal" in text
    with translation.override("sv"):
        assert gettext("Sources") in text
        assert gettext("Summary") in text


def test_the_report_is_in_the_requested_language_when_one_is_given(bundled):
    raasepori = Municipality.objects.get(code="710")
    _reader, text = text_of(reports.report_pdf_for(raasepori, None, "fi"))
    assert "Raasepori" in text
    assert Indicator.objects.get(code=MARGIN).name_fi in text


def test_a_missing_value_is_a_dash_in_the_report(bundled):
    # given: Ylöjärvi without its margin values
    Indicator.objects.get(code=MARGIN).values.filter(municipality__code="980").delete()

    # when
    _reader, text = text_of(
        reports.report_pdf_for(Municipality.objects.get(code="980"), None, "fi")
    )

    # then: the summary row shows a dash, never a zero
    name = Indicator.objects.get(code=MARGIN).name_fi
    # the name, its unit in brackets (a line may break inside it), then the latest value and
    # the changes over five and ten years (one cell): dashes
    assert re.search(rf"{re.escape(name)} \([^)]{{1,40}}\) – – / –", text)
    assert f"{name} 0 " not in text


def test_every_demo_member_is_covered(bundled):
    """The batch renders each member: no member's data may break the render."""
    season = bundled.membership_a.season
    for code in MEMBERS:
        pdf = reports.report_pdf_for(Municipality.objects.get(code=code), season)
        assert pdf.startswith(b"%PDF")
    assert set(MEMBERS) <= set(DEMO_MEMBER_CODES)


def test_the_sources_list_each_source_once_and_what_a_figure_was_computed_from():
    text = "A, table (x1); laskettu (B (b2); A, table (x1)); C"
    assert reports._atoms(text) == ["A, table (x1)", "B (b2)", "A, table (x1)", "C"]
    assert reports._atoms("") == []


def test_the_pdf_charts_leave_out_what_only_the_page_uses(bundled):
    import base64

    ylojarvi = Municipality.objects.get(code="980")
    with translation.override("fi"):
        _context, groups = analysis_for(
            municipality=ylojarvi, season=bundled.membership_a.season, peer_group=DEFAULT_PEER_GROUP
        )
        in_pdf = reports.decorate(groups, ylojarvi.name, pdf=True)
        on_page = reports.decorate(groups, ylojarvi.name)
    images = [item["chart"] for _p, items in in_pdf for item in items if item["chart"]]
    assert images
    for image in images:
        svg = base64.b64decode(re.search(r'base64,([^"]+)"', image).group(1)).decode()
        assert "<desc" not in svg  # the image's alt names the chart
    page_charts = [item["chart"] for _p, items in on_page for item in items]
    assert all("<desc" in chart for chart in page_charts)
    assert all(item["rows"] for _p, items in on_page for item in items)


def test_the_legend_names_every_series_once_in_the_reports_language(bundled):
    ylojarvi = Municipality.objects.get(code="980")
    for language in ("fi", "sv"):
        _reader, text = text_of(reports.report_pdf_for(ylojarvi, None, language))
        with translation.override(language):
            for label in (
                gettext("Network median"),
                gettext("Comparison group, median"),
                gettext("All municipalities, median"),
                reports.TREND_LABEL(),
            ):
                assert text.count(label) == 1, (language, label)
