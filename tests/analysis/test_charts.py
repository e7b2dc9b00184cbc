"""The SVG line charts: well-formed, accessible, self-contained, greyscale-readable."""

import io
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pypdf
import pytest

from analysis.charts import Series, line_chart, nice_ticks

NS = "{http://www.w3.org/2000/svg}"


def series(label: str, style: str, values: list[str | None], start: int = 2019) -> Series:
    points = tuple((start + i, None if v is None else Decimal(v)) for i, v in enumerate(values))
    return Series(label=label, points=points, style=style)


FOUR = [
    series("Ylöjärvi", "municipality", ["1.2", "0.8", "1.5"]),
    series("USO network median", "network", ["1.0", "1.1", "0.9"]),
    series("Similar municipalities", "peers", ["0.7", "0.6", "0.5"]),
    series("Whole country", "national", ["0.9", "0.9", "1.0"]),
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def render(**kwargs) -> ET.Element:
    kwargs = {"title": "Net migration", "unit": "%", "decimals": 1} | kwargs
    return parse(line_chart(**kwargs))


def by_id(root: ET.Element, suffix: str) -> ET.Element:
    (found,) = [el for el in root.iter() if el.get("id", "").endswith(suffix)]
    return found


def marker_shape(el: ET.Element) -> str:
    """circle / rect / polygon-with-N-points: tells the marker shapes apart."""
    tag = el.tag.removeprefix(NS)
    return f"polygon{len(el.get('points', '').split())}" if tag == "polygon" else tag


def series_paths(root: ET.Element, index: int) -> list[ET.Element]:
    return list(by_id(root, f"-series-{index}").iter(f"{NS}path"))


def series_markers(root: ET.Element, index: int) -> list[ET.Element]:
    return [el for el in by_id(root, f"-series-{index}") if el.tag != f"{NS}path"]


def marker_centre(el: ET.Element) -> tuple[float, float]:
    if el.tag == f"{NS}circle":
        return float(el.get("cx")), float(el.get("cy"))
    raise AssertionError(el.tag)


def test_accessible_well_formed_svg():
    root = render(series=FOUR)
    assert root.tag == f"{NS}svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert by_id(root, title_id).tag == f"{NS}title"
    assert by_id(root, title_id).text == "Net migration"
    desc = by_id(root, desc_id)
    assert desc.tag == f"{NS}desc"
    for s in FOUR:
        assert s.label in desc.text
    assert "Ylöjärvi: 2019 1.2; 2020 0.8; 2021 1.5" in desc.text
    assert "Whole country: 2019 0.9; 2020 0.9; 2021 1.0" in desc.text


def test_text_is_legible_and_uses_the_pdf_fonts():
    root = render(series=FOUR)
    texts = list(root.iter(f"{NS}text"))
    assert texts
    for text in texts:
        assert float(text.get("font-size")) >= 10
        assert text.get("font-family") == "DejaVu Sans, Arial, sans-serif"
    shown = [t.text for t in texts]
    assert "Net migration" in shown
    assert "%" in shown  # the unit labels the y axis
    assert {"2019", "2020", "2021"} <= set(shown)


def test_legend_distinguishes_series_without_colour():
    root = render(series=FOUR)
    entries = list(by_id(root, "-legend"))
    assert len(entries) == len(FOUR)
    dashes, shapes, labels = set(), set(), []
    for entry in entries:
        (sample,) = entry.iter(f"{NS}line")
        dashes.add(sample.get("stroke-dasharray", "none"))
        (marker,) = [el for el in entry if el.tag in {f"{NS}circle", f"{NS}rect", f"{NS}polygon"}]
        shapes.add(marker_shape(marker))
        labels.append(entry.find(f"{NS}text").text)
    assert len(dashes) == 4
    assert len(shapes) == 4
    assert labels == [s.label for s in FOUR]


def test_self_contained_for_weasyprint():
    svg = line_chart(title="T", series=FOUR, unit="%", decimals=1)
    root = parse(svg)
    for el in root.iter():
        assert el.tag not in {f"{NS}script", f"{NS}image", f"{NS}foreignObject"}
        assert not any(name.endswith("href") for name in el.attrib)
        assert "url(" not in el.get("style", "")
        assert "class" not in el.attrib
    assert "url(" not in svg


def test_missing_value_breaks_the_line():
    municipality = series("Ylöjärvi", "municipality", ["1.0", "1.2", None, "1.4", "1.3"])
    root = render(series=[municipality], years=[2019, 2020, 2021, 2022, 2023])
    (path,) = series_paths(root, 0)
    assert path.get("d").count("M") == 2
    markers = series_markers(root, 0)
    assert len(markers) == 4
    xs = sorted(marker_centre(m)[0] for m in markers)
    # the missing year sits halfway between 2020 and 2022: nothing is drawn there
    missing_x = (xs[1] + xs[2]) / 2
    assert all(abs(x - missing_x) > 1 for x in xs)
    for x, _ in re.findall(r"([\d.]+) ([\d.]+)", path.get("d")):
        assert abs(float(x) - missing_x) > 1
    assert "2021 No data" in by_id(root, "-desc").text


def test_all_missing_shows_no_data_text():
    root = render(
        series=[series("Ylöjärvi", "municipality", [None, None])], no_data_text="Ei tietoja"
    )
    assert "Ei tietoja" in [t.text for t in root.iter(f"{NS}text")]
    assert not list(root.iter(f"{NS}path"))
    assert not list(root.iter(f"{NS}line"))
    assert by_id(root, "-desc").text == "Ei tietoja"
    assert render(series=[]).find(f"{NS}desc").text == "No data"


def test_single_year_draws_markers_only():
    root = render(
        series=[
            series("Ylöjärvi", "municipality", ["120"], start=2023),
            series("Network", "network", ["95"], start=2023),
        ],
        decimals=0,
    )
    assert not list(root.iter(f"{NS}path"))
    assert len(series_markers(root, 0)) == 1
    assert len(series_markers(root, 1)) == 1
    assert "2023" in [t.text for t in root.iter(f"{NS}text")]


def test_special_characters_are_escaped():
    title = 'Share < 15 & "over" 64 > 10 %'
    labels = ["Mänttä-Vilppula <A&B>", "Pedersöre 'x'"]
    svg = line_chart(
        title=title,
        series=[
            series(labels[0], "municipality", ["1", "2"]),
            series(labels[1], "peers", ["2", "1"]),
        ],
        unit="€ & <per> capita",
        decimals=0,
    )
    root = parse(svg)
    assert root.find(f"{NS}title").text == title
    shown = [t.text for t in root.iter(f"{NS}text")]
    assert title in shown
    assert "€ & <per> capita" in shown
    assert set(labels) <= set(shown)
    assert all(label in root.find(f"{NS}desc").text for label in labels)


def test_number_format_formats_ticks_and_desc():
    def finnish(value: Decimal) -> str:
        return f"{value:.1f}".replace(".", ",").replace("-", "−")

    root = render(
        series=[series("Ylöjärvi", "municipality", ["-2.5", "1.2"])], number_format=finnish
    )
    shown = [t.text for t in root.iter(f"{NS}text")]
    assert "0,0" in shown
    assert "−2,0" in shown
    assert "Ylöjärvi: 2019 −2,5; 2020 1,2" in root.find(f"{NS}desc").text


def test_ticks_are_labelled_with_the_given_decimals():
    root = render(series=[series("Pedersöre", "municipality", ["33100", "33900"])], decimals=0)
    shown = {t.text for t in root.iter(f"{NS}text")}
    assert {"33000", "33200", "34000"} <= shown
    # 0 decimals: never ticks at 0.2 steps that would print as "0", "0", "0", "1"
    root = render(series=[series("X", "municipality", ["0.2", "0.9"])], decimals=0)
    assert {"0", "1"} <= {t.text for t in root.iter(f"{NS}text")}


def is_nice(step: Decimal) -> bool:
    digits = step.normalize().as_tuple().digits
    return digits in {(1,), (2,), (5,)}


@pytest.mark.parametrize(
    ("low", "high"),
    [("0.0", "1.0"), ("33000", "34000"), ("-2.5", "1.2"), ("55", "78"), ("0.013", "0.0171")],
)
def test_nice_ticks(low, high):
    low, high = Decimal(low), Decimal(high)
    ticks = nice_ticks(low, high)
    assert 4 <= len(ticks) <= 6
    assert ticks[0] <= low
    assert ticks[-1] >= high
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    assert is_nice(steps.pop())
    if low < 0 < high:
        assert Decimal(0) in ticks


def test_nice_ticks_exact_decimals():
    assert [str(t) for t in nice_ticks(Decimal("0.0"), Decimal("1.0"))] == [
        "0.0",
        "0.2",
        "0.4",
        "0.6",
        "0.8",
        "1.0",
    ]
    assert nice_ticks(Decimal(5), Decimal(5))[0] <= 5 <= nice_ticks(Decimal(5), Decimal(5))[-1]
    assert nice_ticks(Decimal(0), Decimal(0)) == nice_ticks(Decimal(0), Decimal(1))


def test_ids_differ_between_charts():
    one, two = render(series=FOUR, title="A"), render(series=FOUR, title="B")
    ids_one = {el.get("id") for el in one.iter() if el.get("id")}
    ids_two = {el.get("id") for el in two.iter() if el.get("id")}
    assert ids_one
    assert not ids_one & ids_two
    assert line_chart(title="A", series=FOUR, unit="%", decimals=1) == line_chart(
        title="A", series=FOUR, unit="%", decimals=1
    )


def test_unknown_style_is_rejected():
    with pytest.raises(ValueError, match="style"):
        Series(label="X", points=(), style="rainbow")


def test_renders_in_weasyprint_pdf():
    from weasyprint import HTML

    svg = line_chart(title="Net migration", series=FOUR, unit="%", decimals=1)
    pdf = HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Net migration" in text
    for s in FOUR:
        assert s.label in text


def test_describe_false_leaves_the_desc_to_the_image_alt():
    svg = render(series=FOUR, describe=False)
    assert not list(svg.iter(f"{NS}desc"))
    assert svg.get("aria-labelledby").endswith("-title")
    assert list(render(series=FOUR).iter(f"{NS}desc"))


@pytest.mark.parametrize("style", ["municipality", "network", "peers", "national", "trend"])
def test_legend_sample_is_the_series_line_and_marker_without_text(style):
    from analysis.charts import STYLES, legend_sample

    root = parse(legend_sample(style))
    assert not list(root.iter(f"{NS}text"))  # the document writes the label beside it
    (line,) = root.iter(f"{NS}line")
    assert line.get("stroke") == STYLES[style].stroke
    markers = [el for el in root if el.tag in {f"{NS}circle", f"{NS}rect", f"{NS}polygon"}]
    assert len(markers) == (0 if style == "trend" else 1)
