"""The admin: every model registered and usable, search, role permissions, query counts."""

import itertools

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from simple_history.models import HistoricalChanges

from municipalities.models import User
from tests.auth import login

from ..conftest import client_for
from .factories import (
    ContactPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferFactory,
    PopulationFigureFactory,
    SeasonFactory,
    SeasonThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

APP_MODELS = [model for model in admin.site._registry if model._meta.app_label == "municipalities"]


def test_every_model_of_the_app_is_registered():
    from django.apps import apps

    models = apps.get_app_config("municipalities").get_models()
    # The history models are shown by SimpleHistoryAdmin's history view of their model.
    assert {m for m in models if not issubclass(m, HistoricalChanges)} == set(APP_MODELS)


@pytest.fixture
def superuser_client(db) -> Client:
    return login(Client(), UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def populated(network):
    from municipalities.models import InvoicingDetailsConfirmation

    SeasonThemeFactory(season=network.membership_a.season)
    PopulationFigureFactory(municipality=network.municipality_a)
    OfferFactory(municipality=network.municipality_a)
    InvoicingDetailsConfirmation.objects.create(
        municipality=network.municipality_a,
        season=network.membership_a.season,
        confirmed_by=network.contact_a,
        confirmed_at="2022-11-01T10:00:00Z",
    )
    return network


# Offers are sent by the services, their fees and the invoicing confirmations are records:
# the admin shows them and adds none.
READ_ONLY = {"offer", "offerfee", "invoicingdetailsconfirmation"}


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_changelist_add_and_change_pages_render(superuser_client, populated, model, language):
    superuser_client.cookies["django_language"] = language
    opts = model._meta
    changelist = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert changelist.status_code == 200
    assert changelist.headers["Content-Language"] == language
    add = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if opts.model_name in READ_ONLY else 200)
    obj = model.objects.first()
    change = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert change.status_code == 200


@pytest.mark.parametrize("query", ["Ylöjärvi", "ylöj", "980"])
def test_staff_find_a_municipality_by_name_or_code_in_one_step(network, query):
    MunicipalityFactory(code="981", name_fi="Muu kunta")
    response = client_for(network, "staff").get(
        reverse("admin:municipalities_municipality_changelist"), {"q": query}
    )
    assert list(response.context["cl"].result_list) == [network.municipality_a]


def test_consultant_reads_but_does_not_change_municipalities(network):
    client = client_for(network, "consultant")
    change_url = reverse(
        "admin:municipalities_municipality_change", args=[network.municipality_a.pk]
    )
    assert client.get(reverse("admin:municipalities_municipality_changelist")).status_code == 200
    response = client.post(change_url, {"code": "980", "name_fi": "Hijacked"})
    assert response.status_code == 403
    assert client.get(reverse("admin:municipalities_user_changelist")).status_code == 403


def test_finance_cannot_manage_users_or_seasons(network):
    client = client_for(network, "finance")
    assert client.get(reverse("admin:municipalities_user_changelist")).status_code == 403
    assert client.get(reverse("admin:municipalities_season_add")).status_code == 403
    assert client.get(reverse("admin:municipalities_membership_changelist")).status_code == 200


def test_municipal_contact_has_no_admin(network):
    response = client_for(network, "contact_a").get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_grant_portal_access_action(network):
    contact = ContactPersonFactory(municipality=network.municipality_a, email="uusi@example.fi")
    response = client_for(network, "staff").post(
        reverse("admin:municipalities_contactperson_changelist"),
        {"action": "grant_portal_access", "_selected_action": [contact.pk]},
        follow=True,
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.user.email == "uusi@example.fi"
    assert contact.user.municipality == network.municipality_a
    assert not contact.user.has_usable_password()


def test_grant_portal_access_refuses_an_address_of_another_organisation(network):
    contact = ContactPersonFactory(municipality=network.municipality_a, email="staff@example.fi")
    response = client_for(network, "staff").post(
        reverse("admin:municipalities_contactperson_changelist"),
        {"action": "grant_portal_access", "_selected_action": [contact.pk]},
        follow=True,
    )
    assert (
        "already belongs to a user of another organisation" in response.text
        or "organisaation" in response.text
    )
    contact.refresh_from_db()
    assert contact.user is None
    assert User.objects.get(email="staff@example.fi").municipality is None


SLUGS = itertools.count()
CHANGELISTS = {
    "municipality": lambda n: MembershipFactory(),
    "membership": lambda n: MembershipFactory(responsible_consultant=n.consultant),
    "contactperson": lambda n: ContactPersonFactory(),
    "populationfigure": lambda n: PopulationFigureFactory(),
    "season": lambda n: MembershipFactory(season=SeasonFactory(slug=f"season-{next(SLUGS)}")),
}


@pytest.mark.parametrize("model_name", CHANGELISTS)
def test_changelist_query_count_is_constant(network, model_name, django_assert_max_num_queries):
    client = client_for(network, "staff")
    url = reverse(f"admin:municipalities_{model_name}_changelist")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(50):
        CHANGELISTS[model_name](network)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["cl"].result_count >= 50
