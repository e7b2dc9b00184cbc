""" "Publish and e-mail" shows the recipients and the e-mail in each of their languages first,
and sends only when that is confirmed (queued in the outbox, sent after commit)."""

import pytest
from django.core import mail
from django.urls import reverse

from events.models import Announcement
from outbox.models import Message

from ..municipalities.factories import ContactPersonFactory
from .factories import AnnouncementFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:events_announcement_changelist")


@pytest.fixture
def announcement(network):
    # B speaks Swedish; A has a second contact person; an inactive one is not told
    network.municipality_b.preferred_language = "sv"
    network.municipality_b.save()
    ContactPersonFactory(municipality=network.municipality_a, email="second.a@example.fi")
    ContactPersonFactory(
        municipality=network.municipality_a, email="gone.a@example.fi", is_active=False
    )
    return AnnouncementFactory(
        season=network.membership_a.season,
        title_fi="Syksyn ohjelma",
        title_sv="Höstens program",
        body_fi="Syksyn ohjelma on julkaistu.",
        body_sv="Höstens program har publicerats.",
        published_at=None,
    )


def test_the_action_first_shows_recipients_and_each_languages_email(staff_client, announcement):
    # when staff choose "Publish and e-mail"
    response = staff_client.post(
        URL, {"action": "publish_and_email", "_selected_action": [announcement.pk]}
    )
    # then a confirmation page lists the three recipients and the e-mail in fi and sv
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 yhteyshenkilölle" in html
    for address in ("contact.a@example.fi", "second.a@example.fi", "contact.b@example.fi"):
        assert address in html
    assert "gone.a@example.fi" not in html
    assert "USO-verkosto: Syksyn ohjelma" in html
    assert "Syksyn ohjelma on julkaistu." in html
    assert "Höstens program har publicerats." in html
    assert "/news/" in html or str(announcement.pk) in html
    # and nothing is published or queued yet
    announcement.refresh_from_db()
    assert announcement.published_at is None
    assert announcement.emailed_at is None
    assert not Message.objects.exists()


def test_confirming_publishes_and_sends_after_commit(
    staff_client, announcement, django_capture_on_commit_callbacks
):
    # when staff confirm on the page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            URL,
            {
                "action": "publish_and_email",
                "_selected_action": [announcement.pk],
                "confirmed": "yes",
            },
        )
    # then it is published, each recipient gets one message in their language
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert announcement.published_at is not None
    assert announcement.emailed_at is not None
    assert Message.objects.count() == 3
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        "contact.a@example.fi": "USO-verkosto: Syksyn ohjelma",
        "second.a@example.fi": "USO-verkosto: Syksyn ohjelma",
        "contact.b@example.fi": "USO-nätverket: Höstens program",
    }


def test_an_announcement_emailed_before_is_not_sent_again(staff_client, announcement):
    # given an announcement e-mailed once
    staff_client.post(
        URL,
        {"action": "publish_and_email", "_selected_action": [announcement.pk], "confirmed": "yes"},
    )
    queued = Message.objects.count()
    # when the action is chosen again, the page says so and lists nobody
    response = staff_client.post(
        URL, {"action": "publish_and_email", "_selected_action": [announcement.pk]}
    )
    html = response.content.decode()
    assert "contact.b@example.fi" not in html
    assert Announcement.objects.get(pk=announcement.pk).emailed_at is not None
    staff_client.post(
        URL,
        {"action": "publish_and_email", "_selected_action": [announcement.pk], "confirmed": "yes"},
    )
    assert Message.objects.count() == queued
