"""Regression: CR/LF in a workshop title silently dropped every notification of that workshop.
The outbox makes a subject one line and takes one validated recipient per message, so a title
cannot add a header or a recipient; checked at a real SMTP server."""

import pytest

from workshops import services

from ..municipalities.factories import ContactUserFactory
from ..outbox.helpers import send_outbox, smtp_mailers, smtp_server
from .factories import WorkshopFactory

pytestmark = pytest.mark.django_db

TITLE = "Strategia\r\nBcc: x@example.com"


def test_a_title_with_a_line_break_notifies_everyone_with_a_one_line_subject(
    network, settings, django_capture_on_commit_callbacks
):
    # given
    ContactUserFactory(email="second.a@example.fi", municipality=network.municipality_a)
    workshop = WorkshopFactory(
        membership=network.membership_a, title=TITLE, proposed_by=network.contact_a
    )

    with smtp_server() as (port, received):
        settings.MAILERS = smtp_mailers(port)

        # when the consultant comments (the municipality's two logins are told) and a contact
        # answers (the consultant is told)
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_add(workshop=workshop, actor=network.consultant, body="Ehdotus")
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_add(workshop=workshop, actor=network.contact_a, body="Kiitos")
        send_outbox()

    # then: everyone, nobody else, and no header the title tried to add
    assert received.recipients() == sorted(
        ["contact.a@example.fi", "second.a@example.fi", network.consultant.email]
    )
    for message in received.messages:
        assert message["Bcc"] is None
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        assert message["Subject"].endswith("Strategia Bcc: x@example.com")
        assert message.get_all("To") == [message["To"]]
        assert "x@example.com" not in message["To"]
