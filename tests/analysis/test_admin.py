"""The analysis admin as the personas use it: which source's value is used and why, in words;
edits and priorities through the services; a source with values is not deleted."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from analysis.demo import DATA
from analysis.importers import COLUMNS, import_indicator_file
from analysis.models import IndicatorValue, Source
from tests.conftest import client_for
from tests.plugins.fetch_mode import lazy_fetch_allowed

LOANS = "loan_stock_eur_per_inhabitant"


def bundled_rows(path: Path, code: str, indicator: str, year: int) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return [
            row
            for row in csv.DictReader(stream)
            if (row["municipality_code"], row["indicator"], row["year"])
            == (code, indicator, str(year))
        ]


@pytest.fixture
def ylojarvi_loans(network, tmp_path):
    """Ylöjärvi's 2019 loans per inhabitant as the city published them (S8) and as Statistics
    Finland's series gives them (T2), each imported from the bundled files' own lines."""
    (city,) = bundled_rows(DATA / "indicators.csv", "980", LOANS, 2019)
    (official,) = bundled_rows(DATA / "indicators_2018_2021.csv", "980", LOANS, 2019)
    for name, row in (("city.csv", city), ("official.csv", official)):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerow(row)
        import_indicator_file(path)
    values = IndicatorValue.objects.filter(municipality__code="980", indicator__code=LOANS)
    return {
        "city": values.get(data_source__code="municipality-own"),
        "official": values.get(data_source__code="statistics-finland"),
        "city_value": Decimal(city["value"]),
        "official_value": Decimal(official["value"]),
    }


def change_page(client, value) -> str:
    response = client.get(reverse("admin:analysis_indicatorvalue_change", args=[value.pk]))
    assert response.status_code == 200
    return response.content.decode()


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_statistics_finland_is_used_both_are_kept_and_the_admin_says_which(network, ylojarvi_loans):
    city, official = ylojarvi_loans["city"], ylojarvi_loans["official"]
    assert (city.is_preferred, official.is_preferred) == (False, True)
    assert city.value == ylojarvi_loans["city_value"] != official.value
    client = english(client_for(network, "staff"))

    city_page = change_page(client, city)
    official_page = change_page(client, official)

    assert (
        f"Not used: Statistics Finland gives this year&#x27;s value ({official.value}), and its "
        "priority 10 comes before this source&#x27;s 50." in city_page
    )
    assert "Used: Statistics Finland comes first (priority 10)" in official_page
    assert f"The municipality&#x27;s own publication ({city.value})" in official_page


def test_the_change_page_says_it_in_finnish_too(network, ylojarvi_loans):
    page = change_page(client_for(network, "staff"), ylojarvi_loans["city"])
    assert "Ei käytössä: Tilastokeskus antaa tämän vuoden arvon" in page


def test_a_changed_priority_decides_again_which_value_is_used(network, ylojarvi_loans):
    # given
    client = client_for(network, "staff")
    source = Source.objects.get(code="statistics-finland")
    url = reverse("admin:analysis_source_change", args=[source.pk])
    form = {
        "code": source.code, "priority": "60", "url": source.url,
        "name_fi": source.name_fi, "name_sv": source.name_sv, "name_en": source.name_en,
        "licence_fi": source.licence_fi, "licence_sv": source.licence_sv,
        "licence_en": source.licence_en,
    }  # fmt: skip

    # when: Statistics Finland after the city's own publication
    response = client.post(url, form)

    # then
    assert response.status_code == 302
    city, official = (ylojarvi_loans[key] for key in ("city", "official"))
    city.refresh_from_db()
    official.refresh_from_db()
    assert (city.is_preferred, official.is_preferred) == (True, False)
    assert "Tilastokeskus" in change_page(client, official)


def test_editing_a_value_goes_through_the_service(network, ylojarvi_loans):
    # given: staff correct the city's figure and give it to Statistics Finland by mistake
    client = client_for(network, "staff")
    city = ylojarvi_loans["city"]
    url = reverse("admin:analysis_indicatorvalue_change", args=[city.pk])
    form = {
        "municipality": city.municipality_id, "indicator": city.indicator_id, "year": "2019",
        "value": "3100.5", "data_source": Source.objects.get(code="statistics-finland").pk,
        "source": city.source,
    }  # fmt: skip

    # when
    refused = client.post(url, form)
    accepted = client.post(url, {**form, "data_source": city.data_source_id})

    # then: one value per source and key (the form says so); the correction is kept, not used
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    city.refresh_from_db()
    assert (city.value, city.is_preferred) == (Decimal("3100.5000"), False)

    # when: moved to another year, where it is the only value
    client.post(url, {**form, "data_source": city.data_source_id, "year": "2018"})
    city.refresh_from_db()
    assert (city.year, city.is_preferred) == (2018, True)


def test_deleting_the_used_value_makes_the_other_used(network, ylojarvi_loans):
    client = client_for(network, "staff")
    official = ylojarvi_loans["official"]
    url = reverse("admin:analysis_indicatorvalue_delete", args=[official.pk])

    with lazy_fetch_allowed():
        response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    city = ylojarvi_loans["city"]
    city.refresh_from_db()
    assert city.is_preferred
    assert not IndicatorValue.objects.filter(pk=official.pk).exists()


def test_a_source_with_values_is_not_deleted_and_the_page_says_why(network, ylojarvi_loans):
    client = english(client_for(network, "staff"))
    source = Source.objects.get(code="municipality-own")
    url = reverse("admin:analysis_source_delete", args=[source.pk])

    with lazy_fetch_allowed():
        page = client.get(url)
        posted = client.post(url, {"post": "yes"})

    assert page.status_code == posted.status_code == 200
    assert "1 indicator value refers to it: it cannot be deleted" in page.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()


def test_who_opens_what(network, ylojarvi_loans, municipality_c):
    """Network staff edit; the consultant reads values of their municipalities only; finance and
    contacts see no analysis admin."""
    changelist = reverse("admin:analysis_indicatorvalue_changelist")
    c_value = IndicatorValue.objects.create(
        municipality=municipality_c.municipality, indicator=ylojarvi_loans["city"].indicator,
        year=2019, value=1, data_source=Source.objects.get(code="statistics-finland"),
    )  # fmt: skip
    staff = client_for(network, "staff").get(changelist)
    consultant = client_for(network, "consultant").get(changelist)
    listed = {row.pk for row in consultant.context["cl"].result_list}
    assert staff.status_code == consultant.status_code == 200
    assert c_value.pk in {row.pk for row in staff.context["cl"].result_list}
    assert c_value.pk not in listed and ylojarvi_loans["city"].pk in listed
    assert client_for(network, "finance").get(changelist).status_code == 403
    assert client_for(network, "contact_a").get(changelist).status_code == 302
    consultant_post = client_for(network, "consultant").post(
        reverse("admin:analysis_source_change", args=[Source.objects.first().pk]),
        {"priority": "1"},
    )
    assert consultant_post.status_code == 403


@pytest.mark.parametrize(
    "query",
    ["q=%E2%80%AE" + "x" * 2000, "year=not-a-year", "is_preferred__exact=maybe", "o=99"],
)
def test_hostile_change_list_queries_are_no_error(network, ylojarvi_loans, query):
    client = client_for(network, "staff")
    for name in ("indicatorvalue", "indicator", "source", "neighbour"):
        response = client.get(reverse(f"admin:analysis_{name}_changelist") + "?" + query)
        assert response.status_code in (200, 302), (name, query, response.status_code)
