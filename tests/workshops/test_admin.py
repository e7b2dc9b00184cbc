"""The workshops admin: filters, proposals within the quota, grants, read-only records."""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.models import HistoricalChanges

from workshops.models import QuotaGrant, Workshop, WorkshopStatus, WorkshopTransition

from ..conftest import client_for
from .factories import WorkshopFactory

pytestmark = pytest.mark.django_db


def test_every_model_of_the_app_is_registered():
    from django.apps import apps

    registered = {m for m in admin.site._registry if m._meta.app_label == "workshops"}
    models = apps.get_app_config("workshops").get_models()
    assert {m for m in models if not issubclass(m, HistoricalChanges)} == registered


BOTH = {"Ylöjärven paja", "Oriveden paja"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"membership__season__id__exact": "SEASON"}, BOTH),
        ({"status__exact": "proposed"}, {"Ylöjärven paja"}),
        ({"kind__exact": "survey"}, {"Oriveden paja"}),
        ({"responsible_consultant__id__exact": "CONSULTANT"}, BOTH),
        ({"q": "Ylöjärvi"}, {"Ylöjärven paja"}),
        ({"membership__municipality__id__exact": "MUNICIPALITY"}, {"Ylöjärven paja"}),
    ],
)
def test_changelist_filters(network, query, expected):
    WorkshopFactory(membership=network.membership_a, title="Ylöjärven paja")
    WorkshopFactory(
        membership=network.membership_b, title="Oriveden paja", status="cancelled", kind="survey"
    )
    placeholders = {
        "SEASON": str(network.membership_a.season.pk),
        "CONSULTANT": str(network.consultant.pk),
        "MUNICIPALITY": str(network.municipality_a.pk),
    }
    values = {key: placeholders.get(value, value) for key, value in query.items()}
    response = client_for(network, "staff").get(
        reverse("admin:workshops_workshop_changelist"), values
    )
    assert {w.title for w in response.context["cl"].result_list} == expected


INLINES = {
    f"{name}-{field}": "0"
    for name in ("transitions", "deliverables", "comments")
    for field in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def test_admin_proposal_goes_through_the_quota(network):
    for _ in range(5):
        WorkshopFactory(membership=network.membership_a)
    response = client_for(network, "staff").post(
        reverse("admin:workshops_workshop_add"),
        {
            "membership": network.membership_a.pk,
            "title": "Kuudes",
            "kind": "workshop",
            "topic_other": "Strategia",
            "audiences": ["officials"],
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
            "deliverables-TOTAL_FORMS": "0",
            "deliverables-INITIAL_FORMS": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "membership" in response.context["adminform"].form.errors
    assert not Workshop.objects.filter(title="Kuudes").exists()


def test_admin_proposal_is_recorded_like_a_portal_one(network):
    response = client_for(network, "staff").post(
        reverse("admin:workshops_workshop_add"),
        {
            "membership": network.membership_a.pk,
            "title": "Ylläpidon ehdotus",
            "kind": "workshop",
            "topic_other": "Strategia",
            "audiences": ["officials"],
            **INLINES,
        },
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get(title="Ylläpidon ehdotus")
    assert (workshop.proposed_by, workshop.status) == (network.staff, WorkshopStatus.PROPOSED)
    assert WorkshopTransition.objects.filter(workshop=workshop, by=network.staff).exists()


def test_grant_in_the_admin_is_recorded_and_cannot_be_edited_or_deleted(network):
    client = client_for(network, "staff")
    response = client.post(
        reverse("admin:workshops_quotagrant_add"),
        {"membership": network.membership_a.pk, "extra": 2, "reason": "Lisäseminaari"},
    )
    assert response.status_code == 302
    grant = QuotaGrant.objects.get()
    assert (grant.granted_by, grant.extra) == (network.staff, 2)
    change = client.post(
        reverse("admin:workshops_quotagrant_change", args=[grant.pk]),
        {"membership": network.membership_a.pk, "extra": 9, "reason": "x"},
    )
    grant.refresh_from_db()
    assert grant.extra == 2
    assert change.status_code == 403
    assert (
        client.get(reverse("admin:workshops_quotagrant_delete", args=[grant.pk])).status_code == 403
    )


def test_consultants_cannot_grant(network):
    response = client_for(network, "consultant").get(reverse("admin:workshops_quotagrant_add"))
    assert response.status_code == 403


def test_status_is_read_only_in_the_admin(network):
    workshop = WorkshopFactory(membership=network.membership_a)
    response = client_for(network, "staff").get(
        reverse("admin:workshops_workshop_change", args=[workshop.pk])
    )
    assert "status" in response.context["adminform"].readonly_fields
