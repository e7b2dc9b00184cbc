"""Every admin page of every registered model, for every persona: municipal contacts and the
anonymous never see an admin page; staff see a page or a clear 403, never an error.

The portal URLs have their explicit matrix (test_permission_matrix.py); the admin's URLs are
generated from the registry, so a new model or admin is covered as soon as it is registered.
Which *objects* each persona's change lists and pages show is asserted from one table in
test_visibility.py; the case of issue 11 is spelled out below.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.auth import login
from tests.plugins.fetch_mode import lazy_fetch_allowed

from .conftest import PERSONAS, client_for
from .municipalities.factories import UserFactory

STAFF = ("consultant", "staff", "finance")
VIEWS = ("changelist", "add", "change", "history", "delete")
MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_urls(model) -> list[tuple[str, str]]:
    opts = model._meta
    obj = model._default_manager.order_by("pk").first()
    urls = []
    for view in VIEWS:
        needs_object = view in ("change", "history", "delete")
        if needs_object and obj is None:
            continue
        args = [obj.pk] if needs_object else []
        try:
            urls.append(
                (view, reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args))
            )
        except NoReverseMatch:
            continue
    return urls


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
@pytest.mark.django_db
def test_admin_pages_per_persona(network, programme, model):
    def get(client, view, url):
        if view != "delete":
            return client.get(url).status_code
        # Django's delete confirmation lists every related object by its label, one fetch
        # each; that page (rare, staff-only, Django's own code) runs without the N+1 guard.
        with lazy_fetch_allowed():
            return client.get(url).status_code

    superuser = Client()
    login(superuser, UserFactory(is_staff=True, is_superuser=True))
    urls = admin_urls(model)
    assert any(view == "changelist" for view, _url in urls)
    opts = model._meta
    for persona in PERSONAS:
        client = client_for(network, persona)
        user = getattr(network, persona, None)

        def may(action, user=user):
            return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

        for view, url in urls:
            status = get(client, view, url)
            if persona not in STAFF:
                assert status == 302, f"{persona} {view} {url}: {status}"
                continue
            assert status in (200, 302, 403), f"{persona} {view} {url}: {status}"
            # the permission decides, not the page: without it a 403, with it the page
            if view == "changelist":
                expected = 200 if may("view") or may("change") else 403
                assert status == expected, f"{persona} {view} {url}: {status}"
            if view in ("add", "delete") and not may(view):
                assert status == 403, f"{persona} {view} {url}: {status}"
    for view, url in urls:
        status = get(superuser, view, url)
        assert status in (200, 302, 403), f"superuser {view} {url}: {status}"
        if view == "changelist":
            assert status == 200


def test_a_consultant_does_not_open_another_municipalitys_workshop(
    network, programme, municipality_c
):
    """Issue 11: the changelist listed C's workshop and its change page answered 200, while the
    portal gave 404."""
    # given: network.consultant is responsible for A and B, not for C
    client = client_for(network, "consultant")
    workshop = municipality_c.workshop

    # when
    changelist = client.get(reverse("admin:workshops_workshop_changelist"))
    change = client.get(reverse("admin:workshops_workshop_change", args=[workshop.pk]))
    history = client.get(reverse("admin:workshops_workshop_history", args=[workshop.pk]))

    # then: not listed; the pages answer as Django does for an object that does not exist
    listed = {row.pk for row in changelist.context["cl"].result_list}
    assert listed == {programme.workshop_a.pk}
    for response in (change, history):
        assert (response.status_code, response.url) == (302, reverse("admin:index"))
    portal = client.get(reverse("workshops:workshop_detail", args=[workshop.pk]))
    assert portal.status_code == 404
    own = client_for(network, "staff").get(reverse("admin:workshops_workshop_changelist"))
    assert {row.pk for row in own.context["cl"].result_list} == {
        programme.workshop_a.pk,
        workshop.pk,
    }
