"""The living demo: on any day, `load_demo` builds a current season whose walk-through works.

The clock is frozen (time-machine) at days early in a season, in mid-season, in its last month,
on its last day and years from now; on each the README's walk-through is followed through the
real views: the example contact (contact.980@example.fi, Ylöjärvi) logs in with the demo
password, sees an event open for registration and registers, sees the full event's waitlist and
its municipality's places taken on another, sees workshop quota left and the current year's
invoices. The module loads the municipalities' demo step once (the base every current-season
step builds on); each day's test builds the current season inside its own savepoint and runs
every step of the walk-through on it.
"""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from pypdf import PdfReader

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.services.documents import render_documents
from events.demo_current import SLOTS, demo_event
from events.models import EventStatus, Registration, RegistrationStatus
from municipalities.demo import (
    DEMO_PASSWORD,
    DemoContext,
    demo_steps,
    load_municipalities_demo,
)
from municipalities.demo_dates import DemoCalendar, season_slug, season_years
from municipalities.models import ContactPerson, Membership, Season
from workshops.models import Workshop, WorkshopStatus
from workshops.selectors import quota_for

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
CONTACT = "contact.980@example.fi"

DAYS = {
    "early in a season": datetime.date(2027, 1, 20),
    "mid-season": datetime.date(2025, 11, 12),
    "the season's last month": datetime.date(2026, 12, 10),
    "the season's last day": datetime.date(2026, 12, 31),
    "years from now": datetime.date(2031, 6, 15),
}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def base_demo(django_db_setup, django_db_blocker):
    """The municipalities step (municipalities, users, contacts) once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        autodiscover_modules("demo")
        with translation.override("en"):
            load_municipalities_demo(DemoContext())
        yield
        transaction.set_rollback(True)


def build_current_season(today: datetime.date, *, render: bool = False) -> DemoContext:
    """What `load_demo` adds on `today`: the steps of the current season."""
    context = DemoContext(today=today, render_documents=render)
    with translation.override("en"):
        for _order, name, step in demo_steps():
            if name.startswith("current season"):
                step(context)
    return context


def contact_client() -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": CONTACT, "password": DEMO_PASSWORD})
    assert response.status_code == 302, "the example contact logs in with the demo password"
    return client


def season_on(day: datetime.date) -> Season:
    return Season.objects.get(slug=season_slug(day))


def check_the_contact_registers_to_an_open_event(today):
    # given the example contact, logged in as the README says
    client = contact_client()
    season = season_on(today)
    event = demo_event(season, "seminar-open")
    assert event.registration_is_open()
    # when they look at the programme
    listing = client.get(reverse("events:event_list"))
    detail = client.get(reverse("events:event_detail", args=[event.pk]))
    # then the open event is there with its registration form, and registering works
    assert event.title in listing.content.decode()
    assert reverse("events:event_register", args=[event.pk]) in detail.content.decode()
    me = ContactPerson.objects.get(email=CONTACT)
    response = client.post(
        reverse("events:event_register", args=[event.pk]), {"contact_person": me.pk}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, contact_person=me)
    assert registration.status == RegistrationStatus.CONFIRMED


def check_an_event_is_full_with_a_waitlist(today):
    event = demo_event(season_on(today), "peer-full")
    assert event.registration_is_open()
    registrations = event.registrations.values_list("status", flat=True)
    assert list(registrations).count(RegistrationStatus.CONFIRMED) == event.capacity
    assert RegistrationStatus.WAITLISTED in registrations
    # the contact's registration goes to the waitlist, through the real view
    me = ContactPerson.objects.get(email=CONTACT)
    contact_client().post(
        reverse("events:event_register", args=[event.pk]), {"contact_person": me.pk}
    )
    assert Registration.objects.get(event=event, contact_person=me).status == "waitlisted"


def check_ylojarvis_places_are_taken_on_one_event(today):
    event = demo_event(season_on(today), "trustees-capped")
    assert event.registration_is_open()
    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED)
    assert confirmed.filter(municipality__code="980").count() == event.max_per_municipality
    assert confirmed.count() < event.capacity, "seats are free, only Ylöjärvi's are taken"
    fourth = ContactPerson.objects.get(email="trustee4.980@example.fi")
    contact_client().post(
        reverse("events:event_register", args=[event.pk]), {"contact_person": fourth.pk}
    )
    assert Registration.objects.get(event=event, contact_person=fourth).status == "waitlisted"


def check_held_events_have_attendance_and_materials(today):
    season = season_on(today)
    for slot, _kind, days, *_rest in SLOTS:
        event = demo_event(season, slot)
        if days < 0:
            assert event.status == EventStatus.HELD and event.has_ended()
            assert event.registrations.exclude(attendance="").exists()
            assert event.materials.exists()
        else:
            assert event.status == EventStatus.PUBLISHED and event.registration_is_open()
    # this month and next (in the season's last weeks, all of them before it ends)
    months = {
        e.start.astimezone(HELSINKI).strftime("%Y-%m")
        for e in season.events.filter(status=EventStatus.PUBLISHED)
    }
    if (season.end_date - today).days > 35:
        assert months == {f"{today:%Y-%m}", f"{today + datetime.timedelta(days=31):%Y-%m}"}


def check_workshops_in_every_state_with_quota_left(today):
    season = season_on(today)
    assert set(
        Workshop.objects.filter(membership__season=season).values_list("status", flat=True)
    ) == set(WorkshopStatus.values)
    membership = Membership.objects.get(season=season, municipality__code="980")
    assert quota_for(membership).remaining >= 1
    page = contact_client().get(reverse("workshops:workshop_list"))
    assert page.status_code == 200
    assert "Kuntastrategian luonnoksen työstöpaja" in page.content.decode()


def check_invoices_of_the_current_year_paid_and_overdue(today):
    season = season_on(today)
    fees = Invoice.objects.filter(
        membership__season=season, year=today.year, kind=InvoiceKind.ANNUAL_FEE
    )
    assert fees.count() == Membership.objects.filter(season=season).count()
    assert not fees.filter(status=InvoiceStatus.DRAFT).exists()
    mine = fees.get(membership__municipality__code="980")
    assert mine.status == InvoiceStatus.PAID and mine.paid_on <= today
    overdue = fees.filter(status=InvoiceStatus.SENT, due_date__lt=today)
    assert list(overdue.values_list("membership__municipality__code", flat=True)) == ["562"]
    page = contact_client().get(reverse("billing:invoice_list")).content.decode()
    assert mine.number in page
    assert fees.get(membership__municipality__code="562").number not in page


def check_the_season_is_the_odd_year_pair_and_the_next_is_in_preparation(today):
    first, last = season_years(today)
    season = season_on(today)
    assert (season.start_date, season.end_date) == (
        datetime.date(first, 1, 1),
        datetime.date(last, 12, 31),
    )
    assert first % 2 == 1 and season.contains(today)
    assert Membership.objects.filter(season=season).count() == 30
    following = Season.objects.get(slug=f"{last + 1}-{last + 2}")
    assert not following.memberships.exists()


WALK_THROUGH = [
    check_the_contact_registers_to_an_open_event,
    check_an_event_is_full_with_a_waitlist,
    check_ylojarvis_places_are_taken_on_one_event,
    check_held_events_have_attendance_and_materials,
    check_workshops_in_every_state_with_quota_left,
    check_invoices_of_the_current_year_paid_and_overdue,
    check_the_season_is_the_odd_year_pair_and_the_next_is_in_preparation,
]


@pytest.mark.parametrize("today", list(DAYS.values()), ids=list(DAYS))
def test_the_walk_through_works(base_demo, today):
    """One build per day (it costs seconds), then every step of the walk-through on it, with
    the clock stopped on that day at 10:00."""
    moment = datetime.datetime.combine(today, datetime.time(10), HELSINKI)
    with time_machine.travel(moment, tick=False):
        build_current_season(today)
        for check in WALK_THROUGH:
            check(today)


def test_the_invoice_pdf_downloads(base_demo, db):
    day = DAYS["mid-season"]
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), HELSINKI), tick=False
    ):
        build_current_season(day)
        mine = Invoice.objects.get(
            membership__season__slug=season_slug(day),
            membership__municipality__code="980",
            kind=InvoiceKind.ANNUAL_FEE,
        )
        assert render_documents(mine) is not None  # what load_demo renders, in-process here
        response = contact_client().get(reverse("billing:invoice_pdf", args=[mine.pk]))
        text = "".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
        )
    assert mine.number in text and "Ylöjärvi" in text


def test_a_second_run_even_days_later_adds_nothing(base_demo, db):
    day = DAYS["mid-season"]
    models = (Season, Membership, Registration, Workshop, Invoice)
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), HELSINKI), tick=False
    ):
        build_current_season(day)
        counts = [model.objects.count() for model in models]
        build_current_season(day)
        assert [model.objects.count() for model in models] == counts
    later = day + datetime.timedelta(days=9)
    with time_machine.travel(
        datetime.datetime.combine(later, datetime.time(10), HELSINKI), tick=False
    ):
        build_current_season(later)
    assert [model.objects.count() for model in models] == counts


@pytest.mark.parametrize(
    ("day", "slug"),
    [
        (datetime.date(2023, 1, 1), "2023-2024"),
        (datetime.date(2024, 12, 31), "2023-2024"),
        (datetime.date(2026, 12, 2), "2025-2026"),
        (datetime.date(2031, 6, 15), "2031-2032"),
    ],
)
def test_the_season_rule(day, slug):
    assert season_slug(day) == slug


def test_the_programme_stays_inside_the_season_but_at_its_first_and_last_day():
    for today in DAYS.values():
        calendar = DemoCalendar.on(today)
        for days in (7, 14, 21, 35, 42, 50):
            before, after = calendar.ago(days), calendar.ahead(days)
            assert before < today < after
            if today not in (calendar.start, calendar.end):
                assert calendar.start <= before and after <= calendar.end
    calendar = DemoCalendar.on(datetime.date(2025, 11, 12))
    assert calendar.ahead(7) == datetime.date(2025, 11, 19)
    assert calendar.ago(21) == datetime.date(2025, 10, 22)
    # 29 days left: a week ahead becomes three days, a Saturday, moved to the Monday
    assert DemoCalendar.on(datetime.date(2026, 12, 2)).ahead(7) == datetime.date(2026, 12, 7)
    last = DemoCalendar.on(datetime.date(2026, 12, 31))
    assert last.ahead(7) == datetime.date(2027, 1, 1)
