"""The contact confirms or corrects the invoicing details; finance sees what changed, by whom."""

from __future__ import annotations

import pytest
from django.urls import reverse

from municipalities.models import InvoicingDetailsConfirmation, Municipality

from ..billing.factories import billable
from ..conftest import client_for

pytestmark = pytest.mark.django_db

URL = reverse("municipalities:invoicing_details")


def _details(**changes) -> dict[str, str]:
    return {
        "business_id": "0158221-7",
        "einvoice_address": "003701582217",
        "einvoice_operator": "003723327487",
        "billing_street_address": "Kuruntie 14",
        "billing_postal_code": "33470",
        "billing_post_office": "YLÖJÄRVI",
        "buyer_reference": "1106",
        **changes,
    }


@pytest.fixture
def details(network):
    billable(network.municipality_a, business_id="0158221-7")
    return network


def test_confirming_unchanged_details_is_recorded(details):
    client = client_for(details, "contact_a")
    assert client.get(URL).status_code == 200

    response = client.post(URL, _details())

    assert response.status_code == 302
    confirmation = InvoicingDetailsConfirmation.objects.get()
    assert (confirmation.confirmed_by, confirmation.changes) == (details.contact_a, {})
    assert confirmation.season == details.membership_a.season


def test_a_correction_is_saved_with_history_and_shown_to_finance(details):
    # given the contact corrects the operator, the street address and the cost centre
    client = client_for(details, "contact_a")
    response = client.post(
        URL,
        _details(
            einvoice_operator="ndeafihh", billing_street_address="PL 1", buyer_reference="2207"
        ),
    )
    assert response.status_code == 302

    # then the municipality and the membership are saved, with who did it in their history
    municipality = Municipality.objects.get(pk=details.municipality_a.pk)
    assert (municipality.einvoice_operator, municipality.billing_street_address) == (
        "NDEAFIHH",
        "PL 1",
    )
    record = municipality.history.latest()
    assert record.history_user == details.contact_a
    details.membership_a.refresh_from_db()
    assert details.membership_a.buyer_reference == "2207"
    # and the confirmation keeps old → new for each changed field
    confirmation = InvoicingDetailsConfirmation.objects.get()
    assert confirmation.changes == {
        "einvoice_operator": ["003723327487", "NDEAFIHH"],
        "billing_street_address": ["Kuruntie 14", "PL 1"],
        "buyer_reference": ["1106", "2207"],
    }
    # finance reads it in the admin
    admin = client_for(details, "finance")
    page = admin.get(reverse("admin:municipalities_invoicingdetailsconfirmation_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "003723327487" in text and "NDEAFIHH" in text and "Ylöjärvi" in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("business_id", "0158221-8"),  # wrong check digit
        ("einvoice_address", "003701582218"),  # not 0037 + a valid business ID
        ("einvoice_address", "FI1234"),
        ("einvoice_operator", "NOTANOPERATOR"),
        ("billing_postal_code", "3347"),
        ("billing_street_address", "Kuruntie\x00 14"),
        ("billing_post_office", "x" * 500),
        ("business_id", ""),
    ],
)
def test_invalid_details_are_explained_and_nothing_changes(details, field, value):
    client = client_for(details, "contact_a")

    response = client.post(URL, _details(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not InvoicingDetailsConfirmation.objects.exists()
    municipality = Municipality.objects.get(pk=details.municipality_a.pk)
    assert municipality.einvoice_address == "003701582217"


def test_another_municipality_s_business_id_is_refused(details):
    billable(details.municipality_b, business_id="0151789-6")
    client = client_for(details, "contact_a")

    response = client.post(URL, _details(business_id="0151789-6", einvoice_address=""))

    assert response.status_code == 200
    assert not InvoicingDetailsConfirmation.objects.exists()


def test_staff_use_the_admin_not_this_page(details):
    assert client_for(details, "finance").get(URL).status_code == 403
