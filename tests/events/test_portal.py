"""The programme in the portal: lists, registering (htmx and plain forms), calendars, news."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Audience, CalendarFeed, EventStatus, Registration

from ..conftest import client_for
from ..municipalities.factories import ContactPersonFactory, SeasonFactory
from .factories import (
    AnnouncementAttachmentFactory,
    AnnouncementFactory,
    EventFactory,
    EventMaterialFactory,
    PastEventFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(network):
    return EventFactory(season=network.membership_a.season, title_fi="Teemaseminaari", capacity=2)


def test_event_list_separates_upcoming_and_past_and_hides_drafts(network, event):
    PastEventFactory(season=event.season, title_fi="Mennyt seminaari")
    EventFactory(season=event.season, title_fi="Luonnos", status=EventStatus.DRAFT)
    EventFactory(
        season=SeasonFactory(slug="2019-2020", start_date="2019-01-01", end_date="2020-12-31"),
        title_fi="Toisen kauden",
    )

    response = client_for(network, "contact_a").get(reverse("events:event_list"))

    assert [e.title_fi for e in response.context["upcoming"]] == ["Teemaseminaari"]
    assert [e.title_fi for e in response.context["past"]] == ["Mennyt seminaari"]
    assert "Luonnos" not in response.text
    assert "Toisen kauden" not in response.text


def test_event_list_counts_only_own_municipalitys_registrations(network, event):
    RegistrationFactory(
        event=event, contact_person=ContactPersonFactory(municipality=network.municipality_a)
    )
    RegistrationFactory(
        event=event, contact_person=ContactPersonFactory(municipality=network.municipality_b)
    )
    response = client_for(network, "contact_a").get(reverse("events:event_list"))
    assert response.context["upcoming"][0].own_confirmed == 1


def test_event_list_query_count_is_constant(network, django_assert_max_num_queries):
    client = client_for(network, "contact_a")
    url = reverse("events:event_list")
    EventFactory(season=network.membership_a.season)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(49):
        event = EventFactory(season=network.membership_a.season)
        RegistrationFactory(
            event=event, contact_person=ContactPersonFactory(municipality=network.municipality_a)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["upcoming"]) == 50


def test_online_link_only_for_registered_participants_and_staff(network, event):
    url = reverse("events:event_detail", args=[event.pk])
    assert event.online_link not in client_for(network, "contact_a").get(url).text
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    assert event.online_link in client_for(network, "contact_a").get(url).text
    assert event.online_link in client_for(network, "staff").get(url).text
    assert event.online_link not in client_for(network, "contact_b").get(url).text


@pytest.mark.parametrize(
    ("language", "time", "closes"),
    [("fi", "9.00–12.00", "8.00"), ("sv", "9.00–12.00", "8.00"), ("en", "09:00–12:00", "08:00")],
)
def test_event_detail_writes_times_in_the_active_language(network, language, time, closes):
    # given an event from 9 to 12 Helsinki time whose registration closes at 8
    day = timezone.localtime() + datetime.timedelta(days=30)
    start = day.replace(hour=9, minute=0, second=0, microsecond=0)
    event = EventFactory(
        season=network.membership_a.season,
        start=start,
        end=start.replace(hour=12),
        registration_closes=start.replace(hour=8),
    )
    client = client_for(network, "contact_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    # when
    page = client.get(reverse("events:event_detail", args=[event.pk])).text

    # then
    date = f"{start:%-d.%-m.%Y}"
    assert f"{date} {time}" in page
    assert f"{date} {closes}" in page


def test_register_an_existing_person_with_a_plain_form(network, event):
    trustee = ContactPersonFactory(municipality=network.municipality_a, name="Leena Luottamus")
    client = client_for(network, "contact_a")

    response = client.post(
        reverse("events:event_register", args=[event.pk]),
        {"contact_person": trustee.pk},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("events:event_detail", args=[event.pk])
    assert Registration.objects.get(contact_person=trustee).status == "confirmed"
    assert "Leena Luottamus" in response.text


def test_register_a_new_person_with_htmx_returns_the_fragment(network, event):
    client = client_for(network, "contact_a")
    response = client.post(
        reverse("events:event_register", args=[event.pk]),
        {
            "name": "Uusi Henkilö",
            "email": "uusi@example.fi",
            "title": "Talousjohtaja",
            "role": "official",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="registrations"')
    assert "<html" not in response.text
    assert "Uusi Henkilö" in response.text
    assert (
        Registration.objects.get(contact_person__email="uusi@example.fi").municipality
        == network.municipality_a
    )


def test_full_event_puts_the_person_on_the_waitlist_with_a_message(network, event):
    for _ in range(2):
        RegistrationFactory(
            event=event, contact_person=ContactPersonFactory(municipality=network.municipality_b)
        )
    person = ContactPersonFactory(municipality=network.municipality_a)
    response = client_for(network, "contact_a").post(
        reverse("events:event_register", args=[event.pk]),
        {"contact_person": person.pk},
        follow=True,
    )
    assert Registration.objects.get(contact_person=person).status == "waitlisted"
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert " 1)" in response.text  # the waitlist position


def test_refusals_are_explained_and_nothing_is_saved(network, event):
    event.audience = Audience.ELECTED_TRUSTEES
    event.save()
    client = client_for(network, "contact_a")
    count = network.municipality_a.contact_persons.count()

    response = client.post(
        reverse("events:event_register", args=[event.pk]),
        {"name": "Viranhaltija", "email": "v@example.fi", "role": "official"},
    )

    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert network.municipality_a.contact_persons.count() == count
    assert not Registration.objects.filter(event=event).exists()


def test_incomplete_new_person_is_explained(network, event):
    response = client_for(network, "contact_a").post(
        reverse("events:event_register", args=[event.pk]), {"name": "", "email": ""}
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "email"}


def test_contact_cannot_pick_another_municipalitys_person(network, event):
    response = client_for(network, "contact_a").post(
        reverse("events:event_register", args=[event.pk]),
        {"contact_person": network.contact_person_b.pk},
    )
    assert response.status_code == 422
    assert "contact_person" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_cancel_with_htmx_and_plain_form(network, event):
    first = RegistrationFactory(
        event=event, contact_person=ContactPersonFactory(municipality=network.municipality_a)
    )
    second = RegistrationFactory(
        event=event, contact_person=ContactPersonFactory(municipality=network.municipality_a)
    )
    client = client_for(network, "contact_a")

    response = client.post(
        reverse("events:registration_cancel", args=[first.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "<html" not in response.text
    url = reverse("events:registration_cancel", args=[second.pk])
    response = client.post(url)  # a plain form first asks
    assert response.status_code == 200
    assert 'name="confirmed" value="1"' in response.text
    assert Registration.objects.get(pk=second.pk).status == "confirmed"
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}


def test_the_cancel_button_asks_first_and_is_gone_after_the_deadline(network, event):
    registration = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    client = client_for(network, "contact_a")
    url = reverse("events:registration_cancel", args=[registration.pk])
    page = client.get(reverse("events:event_detail", args=[event.pk])).text
    assert f'action="{url}"' in page and "hx-confirm=" in page

    event.cancellation_deadline = timezone.now() - datetime.timedelta(minutes=1)
    event.save()
    page = client.get(reverse("events:event_detail", args=[event.pk])).text
    assert f'action="{url}"' not in page


def test_cancel_after_the_deadline_is_refused_with_a_message(network, event):
    event.cancellation_deadline = timezone.now() - datetime.timedelta(hours=1)
    event.save()
    registration = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    response = client_for(network, "contact_a").post(
        reverse("events:registration_cancel", args=[registration.pk]),
        {"confirmed": "1"},
        follow=True,
    )
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_event_ics_download(network, event):
    response = client_for(network, "contact_a").get(reverse("events:event_ics", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [str(c["summary"]) for c in calendar.walk("VEVENT")] == ["Teemaseminaari"]


def test_materials_appear_after_the_event(network):
    material = EventMaterialFactory(event__season=network.membership_a.season, title="Diat")
    client = client_for(network, "contact_a")
    page = client.get(reverse("events:event_detail", args=[material.event.pk]))
    assert "Diat" in page.text
    download = client.get(reverse("events:material_download", args=[material.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_materials_of_upcoming_events_are_not_served_to_contacts(network, event):
    material = EventMaterialFactory(event=event)
    assert (
        client_for(network, "contact_a")
        .get(reverse("events:material_download", args=[material.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(network, "staff")
        .get(reverse("events:material_download", args=[material.pk]))
        .status_code
        == 200
    )


def test_news_newest_first_with_attachments(network):
    season = network.membership_a.season
    AnnouncementFactory(
        season=season, title_fi="Vanha", published_at=timezone.now() - datetime.timedelta(days=3)
    )
    attachment = AnnouncementAttachmentFactory(
        announcement__season=season, announcement__title_fi="Uusi"
    )
    AnnouncementFactory(season=season, title_fi="Julkaisematon", published_at=None)
    client = client_for(network, "contact_a")

    response = client.get(reverse("events:announcement_list"))

    assert [a.title_fi for a in response.context["announcements"]] == ["Uusi", "Vanha"]
    download = client.get(reverse("events:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200


def test_dashboard_shows_next_events_and_news(network, event):
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    AnnouncementFactory(season=event.season, title_fi="Tilannekuva")
    response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))
    assert "Teemaseminaari" in response.text
    assert "Tilannekuva" in response.text


def test_calendar_feed_lifecycle(network, event):
    client = client_for(network, "contact_a")
    client.post(reverse("events:calendar_feed"), {"action": "renew"})
    feed = CalendarFeed.objects.get(municipality=network.municipality_a, revoked_at__isnull=True)
    feed_url = reverse("events:calendar_feed_ics", args=[feed.token])

    # the feed works without logging in, and leaks no online links
    response = client_for(network, "anonymous").get(feed_url)
    calendar = Calendar.from_ical(response.content)
    assert [str(c["uid"]) for c in calendar.walk("VEVENT")] == [f"{event.uid}@uso-portal"]
    assert event.online_link.encode() not in response.content

    # renewing replaces the address; revoking stops it
    client.post(reverse("events:calendar_feed"), {"action": "renew"})
    assert client.get(feed_url).status_code == 404
    new_feed = CalendarFeed.objects.get(
        municipality=network.municipality_a, revoked_at__isnull=True
    )
    client.post(reverse("events:calendar_feed"), {"action": "revoke"})
    assert client.get(reverse("events:calendar_feed_ics", args=[new_feed.token])).status_code == 404


def test_registration_sends_a_confirmation(network, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(network, "contact_a").post(
            reverse("events:event_register", args=[event.pk]),
            {"contact_person": network.contact_person_a.pk},
        )
    assert [m.to for m in mail.outbox] == [[network.contact_person_a.email]]


def test_a_municipality_whose_places_are_taken_is_told_so_not_that_the_event_is_full(
    network, event, django_capture_on_commit_callbacks
):
    from django.utils import translation
    from django.utils.translation import gettext

    event.capacity, event.max_per_municipality = 10, 1
    event.save()
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    person = ContactPersonFactory(municipality=network.municipality_a, email="second@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(network, "contact_a").post(
            reverse("events:event_register", args=[event.pk]),
            {"contact_person": person.pk},
            follow=True,
        )
    assert Registration.objects.get(contact_person=person).status == "waitlisted"
    with translation.override(network.municipality_a.preferred_language or "fi"):
        taken = gettext(
            "Your municipality's places in this event are taken: %(name)s is on the "
            "waitlist (position %(position)d)."
        ) % {"name": person.name, "position": 1}
    assert [str(m) for m in response.context["messages"]] == [taken]
    (sent,) = [m for m in mail.outbox if m.to == ["second@example.fi"]]
    with translation.override(network.municipality_a.preferred_language or "fi"):
        said = gettext(
            "your municipality's places in the event below are taken, so you are on its "
            "waitlist. If one of them becomes free, you get it automatically and we will tell "
            "you by e-mail."
        )
    assert said in " ".join(sent.body.split())


def test_after_the_deadline_a_plain_cancel_is_refused_at_once_not_asked_about(network, event):
    event.cancellation_deadline = timezone.now() - datetime.timedelta(hours=1)
    event.save()
    registration = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    response = client_for(network, "contact_a").post(
        reverse("events:registration_cancel", args=[registration.pk]), follow=True
    )
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert 'name="confirmed"' not in response.text
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
