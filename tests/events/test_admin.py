"""The events admin: quotas with explicit confirmation, actions, staff registrations."""

import datetime

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from events.models import Event, EventKind, EventStatus, Registration

from ..conftest import client_for
from ..municipalities.factories import ContactPersonFactory
from .factories import EventFactory, PastEventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db


def event_form(season, **overrides) -> dict:
    start = timezone.localtime(in_days(40))
    data = {
        "season": season.pk,
        "kind": EventKind.THEME_SEMINAR,
        "status": EventStatus.PUBLISHED,
        "title_fi": "Seitsemäs seminaari",
        "start_0": start.strftime("%d.%m.%Y"),
        "start_1": "09:00",
        "end_0": start.strftime("%d.%m.%Y"),
        "end_1": "12:00",
        "format": "webinar",
        "audience": "both",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_every_model_of_the_app_is_registered():
    from django.apps import apps

    registered = {m for m in admin.site._registry if m._meta.app_label == "events"}
    models = apps.get_app_config("events").get_models()
    assert {m for m in models if not issubclass(m, HistoricalChanges)} == registered


def test_a_seventh_theme_seminar_needs_explicit_confirmation(network):
    season = network.membership_a.season
    for _ in range(6):
        EventFactory(season=season, kind=EventKind.THEME_SEMINAR)
    EventFactory(season=season, kind=EventKind.THEME_SEMINAR, status=EventStatus.CANCELLED)
    client = client_for(network, "staff")
    url = reverse("admin:events_event_add")

    refused = client.post(url, event_form(season))
    assert refused.status_code == 200
    assert "confirm_over_quota" in refused.context["adminform"].form.errors
    assert Event.objects.filter(kind=EventKind.THEME_SEMINAR).count() == 7

    accepted = client.post(url, event_form(season, confirm_over_quota="on"))
    assert accepted.status_code == 302
    seventh = Event.objects.get(title_fi="Seitsemäs seminaari")
    assert seventh.over_quota_confirmed_by == network.staff
    assert seventh.over_quota_confirmed_at is not None


def test_within_the_quota_no_confirmation_is_needed(network):
    response = client_for(network, "staff").post(
        reverse("admin:events_event_add"), event_form(network.membership_a.season)
    )
    assert response.status_code == 302
    assert Event.objects.get().over_quota_confirmed_by is None


def test_quota_table_on_the_changelist(network):
    season = network.membership_a.season
    EventFactory(season=season, kind=EventKind.THEME_SEMINAR)
    PastEventFactory(season=season, kind=EventKind.THEME_SEMINAR)
    EventFactory(season=season, kind=EventKind.TRUSTEE_TRAINING, status=EventStatus.DRAFT)
    response = client_for(network, "staff").get(reverse("admin:events_event_changelist"))
    rows = {
        (r["season"].slug, str(r["kind"])): (r["planned"], r["held"], r["quota"])
        for r in response.context["quota_rows"]
    }
    assert rows[("2021-2022", str(EventKind.THEME_SEMINAR.label))] == (1, 1, 6)
    assert rows[("2021-2022", str(EventKind.TRUSTEE_TRAINING.label))] == (1, 0, 2)
    assert "1 / 1 / 6" in response.text


def test_changing_the_time_sends_updates(network, django_capture_on_commit_callbacks):
    event = EventFactory(season=network.membership_a.season)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    start = timezone.localtime(event.start) + datetime.timedelta(hours=1)
    data = event_form(
        event.season,
        kind=event.kind,
        title_fi=event.title_fi,
        start_0=start.strftime("%d.%m.%Y"),
        start_1=start.strftime("%H:%M"),
        end_1=(start + datetime.timedelta(hours=2)).strftime("%H:%M"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(network, "staff").post(
            reverse("admin:events_event_change", args=[event.pk]), data
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    assert len(mail.outbox) == 1
    assert "method=REQUEST" in mail.outbox[0].attachments[0].mimetype


def test_cancel_action_asks_first_then_cancels_and_notifies(
    network, django_capture_on_commit_callbacks
):
    event = EventFactory(season=network.membership_a.season)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    client = client_for(network, "staff")
    url = reverse("admin:events_event_changelist")
    selection = {"action": "cancel_events", "_selected_action": [event.pk]}

    confirmation = client.post(url, selection)
    assert confirmation.status_code == 200
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**selection, "confirmed": "yes"})
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert "method=CANCEL" in mail.outbox[0].attachments[0].mimetype


def test_export_action_downloads_a_workbook(network):
    event = EventFactory(season=network.membership_a.season)
    response = client_for(network, "staff").post(
        reverse("admin:events_event_changelist"),
        {"action": "export_xlsx", "_selected_action": [event.pk]},
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_attendance_actions_mark_in_bulk(network):
    event = PastEventFactory(season=network.membership_a.season)
    registrations = [
        RegistrationFactory(
            event=event, contact_person=ContactPersonFactory(municipality=network.municipality_a)
        )
        for _ in range(3)
    ]
    response = client_for(network, "consultant").post(
        reverse("admin:events_registration_changelist"),
        {"action": "mark_present", "_selected_action": [r.pk for r in registrations[:2]]},
    )
    assert response.status_code == 302
    assert list(Registration.objects.order_by("pk").values_list("attendance", flat=True)) == [
        "present",
        "present",
        "",
    ]


def test_staff_registers_with_an_override(network):
    event = EventFactory(season=network.membership_a.season, capacity=1)
    RegistrationFactory(event=event, contact_person=network.contact_person_b)
    response = client_for(network, "staff").post(
        reverse("admin:events_registration_add"),
        {
            "event": event.pk,
            "contact_person": network.contact_person_a.pk,
            "staff_override": "on",
            "override_reason": "Puhuja",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(contact_person=network.contact_person_a)
    assert (registration.status, registration.override_by, registration.override_reason) == (
        "confirmed",
        network.staff,
        "Puhuja",
    )


def test_staff_registration_refusal_is_shown_on_the_form(network):
    event = EventFactory(season=network.membership_a.season, audience="elected_trustees")
    response = client_for(network, "staff").post(
        reverse("admin:events_registration_add"),
        {"event": event.pk, "contact_person": network.contact_person_a.pk},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Registration.objects.exists()


def test_override_needs_a_reason(network):
    event = EventFactory(season=network.membership_a.season)
    response = client_for(network, "staff").post(
        reverse("admin:events_registration_add"),
        {"event": event.pk, "contact_person": network.contact_person_a.pk, "staff_override": "on"},
    )
    assert "override_reason" in response.context["adminform"].form.errors


def test_finance_reads_but_does_not_change_events(network):
    event = EventFactory(season=network.membership_a.season)
    client = client_for(network, "finance")
    assert client.get(reverse("admin:events_event_changelist")).status_code == 200
    assert client.get(reverse("admin:events_event_add")).status_code == 403
    assert client.post(reverse("admin:events_event_change", args=[event.pk]), {}).status_code == 403


@pytest.mark.parametrize("model_name", ["event", "registration"])
def test_changelist_query_count_is_constant(network, model_name, django_assert_max_num_queries):
    client = client_for(network, "staff")
    url = reverse(f"admin:events_{model_name}_changelist")
    RegistrationFactory(
        event__season=network.membership_a.season, contact_person=network.contact_person_a
    )
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(49):
        RegistrationFactory(
            event__season=network.membership_a.season,
            contact_person=ContactPersonFactory(municipality=network.municipality_a),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["cl"].result_count == 50
