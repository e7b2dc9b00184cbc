"""GDPR clean-up: `participants_anonymize` and `manage.py anonymize_participants`."""

import datetime
import io
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from billing.models import Invoice
from events import exports, services
from events.models import Attendance, Event, EventStatus, Registration
from municipalities.models import ContactPerson, ContactRole, Membership, Municipality

from ..billing.factories import stored_invoice
from ..municipalities.factories import (
    ContactPersonFactory,
    ContactUserFactory,
    MembershipFactory,
    SeasonFactory,
)
from .factories import EventFactory, RegistrationFactory

HISTORY = [model for model in (ContactPerson, Registration) if hasattr(model, "history")]
assert HISTORY, "registrations keep an audit history; the anonymisation must clean it"


@dataclass
class World:
    old_season: object
    current_season: object
    old_event: Event
    current_event: Event
    trustee: ContactPerson  # only in the old season: anonymised
    official_b: ContactPerson  # B's, only in the old season: anonymised
    kept: dict[str, ContactPerson]


def person(municipality, role=ContactRole.OFFICIAL, **fields) -> ContactPerson:
    return ContactPersonFactory(municipality=municipality, role=role, phone="040 123", **fields)


@pytest.fixture
def world(network) -> World:
    today = timezone.localdate()
    old_season = network.membership_a.season  # 2021-2022, ended
    current = SeasonFactory(
        slug="current",
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=600),
    )
    a, b = network.municipality_a, network.municipality_b
    for municipality in (a, b):
        MembershipFactory(municipality=municipality, season=current)
    old_event = EventFactory(
        season=old_season,
        start=timezone.make_aware(datetime.datetime(2021, 5, 4, 9)),
        end=timezone.make_aware(datetime.datetime(2021, 5, 4, 12)),
        status=EventStatus.HELD,
    )
    current_event = EventFactory(season=current)
    trustee = person(a, ContactRole.ELECTED_TRUSTEE, name="Liisa Lahtinen")
    official_b = person(b, name="Pekka Pajunen")
    kept = {
        "later season too": person(a),
        "portal user": person(a, user=ContactUserFactory(municipality=a)),
        "contact person role": person(a, ContactRole.CONTACT_PERSON),
        "billing contact role": person(a, ContactRole.BILLING_CONTACT),
        "B, later season too": person(b, ContactRole.OTHER),
        "B, later season only": person(b, ContactRole.OTHER),
        "no registrations": person(a),
    }
    RegistrationFactory(
        event=old_event,
        contact_person=trustee,
        attendance=Attendance.PRESENT,
        override_by=network.staff,
        override_reason="Liisa Lahtinen asked by phone",
    )
    RegistrationFactory(event=old_event, contact_person=official_b, attendance=Attendance.ABSENT)
    for label, contact in kept.items():
        if label not in ("B, later season only", "no registrations"):
            RegistrationFactory(event=old_event, contact_person=contact, attendance="present")
        if "later season" in label:
            RegistrationFactory(event=current_event, contact_person=contact)
    return World(old_season, current, old_event, current_event, trustee, official_b, kept)


def snapshot(contact: ContactPerson) -> tuple:
    contact.refresh_from_db()
    return contact.name, contact.email, contact.phone, contact.title, contact.is_active


def read_xlsx(content: bytes) -> list[list]:
    return [
        list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
    ]


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("anonymize_participants", *args, stdout=out)
    return out.getvalue()


def test_anonymises_participants_of_ended_seasons_only(world):
    # given
    kept_before = {label: snapshot(contact) for label, contact in world.kept.items()}

    # when
    result = services.participants_anonymize(before=world.current_season)

    # then
    assert (result.persons, result.registrations) == (2, 2)
    assert result.seasons == [world.old_season]
    for contact in (world.trustee, world.official_b):
        assert snapshot(contact) == (f"Anonymised participant #{contact.pk}", "", "", "", False)
    assert {label: snapshot(contact) for label, contact in world.kept.items()} == kept_before
    registration = world.trustee.registrations.get()
    assert (registration.override_reason, registration.attendance) == ("", Attendance.PRESENT)
    assert registration.override_by is not None  # a staff user, not the participant


def test_statistics_and_invoices_are_unchanged(network, world):
    # given
    invoice = stored_invoice(network.membership_a)
    attendance_before = read_xlsx(exports.attendance_xlsx(world.old_season, user=network.staff))
    counts = [model.objects.count() for model in (Invoice, Membership, Municipality, Event)]
    invoice_history = Invoice.history.count()
    registrations = list(Registration.objects.values_list("event", "municipality", "status"))

    # when
    services.participants_anonymize(before=world.current_season)

    # then
    assert (
        read_xlsx(exports.attendance_xlsx(world.old_season, user=network.staff))
        == attendance_before
    )
    assert [row[2:] for row in attendance_before[1:]] == [[1, 1, 2, 1], [5, 5, 5, 1]]  # B, A
    assert [model.objects.count() for model in (Invoice, Membership, Municipality, Event)] == counts
    assert Invoice.history.count() == invoice_history
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.snapshot, stored.gross_total) == (invoice.snapshot, invoice.gross_total)
    assert list(Registration.objects.values_list("event", "municipality", "status")) == (
        registrations
    )


def test_seasons_not_ended_are_not_touched(world):
    # given: a season after the current one, which has not ended yet
    next_season = SeasonFactory(
        slug="next",
        start_date=world.current_season.end_date + datetime.timedelta(days=1),
        end_date=world.current_season.end_date + datetime.timedelta(days=730),
    )
    only_current = world.kept["B, later season only"]
    name = snapshot(only_current)

    # when
    result = services.participants_anonymize(before=next_season)

    # then
    assert result.seasons == [world.old_season]
    assert result.persons == 2
    assert snapshot(only_current) == name


def test_nothing_before_the_first_season(world):
    # when
    result = services.participants_anonymize(before=world.old_season)

    # then
    assert (result.persons, result.registrations, result.seasons) == (0, 0, [])
    assert snapshot(world.trustee)[0] == "Liisa Lahtinen"


def test_dry_run_counts_and_changes_nothing(world):
    # given
    before = snapshot(world.trustee)

    # when
    dry = services.participants_anonymize(before=world.current_season, dry_run=True)

    # then
    assert snapshot(world.trustee) == before
    assert world.trustee.registrations.get().override_reason != ""
    real = services.participants_anonymize(before=world.current_season)
    assert (dry.persons, dry.registrations, dry.history_rows) == (
        real.persons,
        real.registrations,
        real.history_rows,
    )


def test_deletes_history_of_anonymised_persons_and_their_registrations(world):
    # given
    registration = world.trustee.registrations.get()
    kept = world.kept["later season too"]

    # when
    result = services.participants_anonymize(before=world.current_season)

    # then
    assert result.history_rows > 0
    for model in HISTORY:
        rows = model.history.all()
        if model is ContactPerson:
            assert not rows.filter(id=world.trustee.pk).exists()
            assert rows.filter(id=kept.pk).exists()
        else:
            assert not rows.filter(id=registration.pk).exists()
            assert rows.filter(contact_person_id=kept.pk).exists()


def test_command_is_idempotent(world):
    # when
    first = run_command("--before", "current")
    second = run_command("--before", "current")

    # then
    assert "Seasons ended before current: 2021-2022." in first
    assert "2 participant(s) anonymised." in first
    assert "2 registration(s) cleaned." in first
    assert "0 participant(s) anonymised." in second
    assert "0 registration(s) cleaned." in second


def test_command_dry_run(world):
    # when
    output = run_command("--before", "current", "--dry-run")

    # then
    assert "Dry run" in output
    assert "2 participant(s) would be anonymised." in output
    assert snapshot(world.trustee)[0] == "Liisa Lahtinen"


def test_command_refuses_an_unknown_season(world):
    # when / then
    with pytest.raises(CommandError, match="No season 'nope'"):
        run_command("--before", "nope")


def test_the_outbox_forgets_the_anonymised_participants(world):
    # given a message to an anonymised participant and one to a kept person
    from events import emails
    from outbox.models import Message

    gone = emails.registration_email_queue(world.trustee.registrations.get(), "reminder")
    kept_registration = world.kept["later season too"].registrations.order_by("pk").first()
    kept = emails.registration_email_queue(kept_registration, "reminder")

    # when
    services.participants_anonymize(before=world.current_season)

    # then
    assert list(Message.objects.values_list("pk", flat=True)) == [kept.pk]
    assert gone.recipient == world.trustee.email
