"""A member's season report PDF, read back with pypdf: the municipality's name, its attendance
counts equal to hand-counted registrations, its people, workshops and feedback, in Finnish and
Swedish."""

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from events.models import Attendance, EventKind, RegistrationStatus
from usage.reports.render import season_report_pdf
from workshops.models import WorkshopStatus

from ..events.factories import PastEventFactory, RegistrationFactory, in_days
from ..feedback.factories import answer, bare_invitation, bare_survey
from ..municipalities.factories import ContactPersonFactory
from ..workshops.factories import DeliverableFactory, ScheduledWorkshopFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def line_with(text: str, needle: str) -> str:
    lines = [line for line in text.splitlines() if needle in line]
    assert lines, f"{needle!r} not in the report"
    return lines[0]


@pytest.fixture
def season_use(network):
    """A's season, counted by hand: the first seminar 2 of A's people registered and present
    (and one of B's), the second 3 registered, 1 present, 1 absent, 1 unmarked (and one
    cancelled); A skipped the training. Two workshops: one reported with its report file, one
    proposed; A's workshop feedback: one answer with a comment."""
    season = network.membership_a.season
    aino = ContactPersonFactory(municipality=network.municipality_a, name="Aino Aaltonen")
    eero = ContactPersonFactory(municipality=network.municipality_a, name="Eero Eskola")
    kaisa = ContactPersonFactory(municipality=network.municipality_a, name="Kaisa Koski")
    first = PastEventFactory(
        season=season, kind=EventKind.THEME_SEMINAR, start=in_days(-60),
        title_fi="Strategiaseminaari", title_sv="Strategiseminarium",
    )  # fmt: skip
    second = PastEventFactory(
        season=season, kind=EventKind.THEME_SEMINAR, start=in_days(-20),
        title_fi="Talousseminaari", title_sv="Ekonomiseminarium",
    )  # fmt: skip
    training = PastEventFactory(
        season=season, kind=EventKind.TRUSTEE_TRAINING, start=in_days(-10),
        title_fi="Luottamushenkilökoulutus", title_sv="Förtroendevaldas utbildning",
    )  # fmt: skip
    present, absent = Attendance.PRESENT, Attendance.ABSENT
    for person, event, attendance in [
        (aino, first, present),
        (eero, first, present),
        (network.contact_person_b, first, present),  # B's: not A's count
        (aino, second, present),
        (eero, second, absent),
        (kaisa, second, ""),
        (network.contact_person_b, training, present),
    ]:
        RegistrationFactory(event=event, contact_person=person, attendance=attendance)
    RegistrationFactory(
        event=second, contact_person=network.contact_person_a,
        status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now(),
    )  # fmt: skip
    reported = ScheduledWorkshopFactory(
        membership=network.membership_a, status=WorkshopStatus.REPORTED,
        title="Hyvinvointityöpaja",
    )  # fmt: skip
    DeliverableFactory(
        workshop=reported, kind="report", title="Työpajan raportti",
        uploaded_by=network.consultant,
    )  # fmt: skip
    WorkshopFactory(
        membership=network.membership_a, status=WorkshopStatus.PROPOSED, title="Elinvoimatyöpaja"
    )
    survey = bare_survey(workshop=reported)
    answer(bare_invitation(survey, aino), worth=5, statements=(4,), comments=("Erinomainen päivä",))
    bare_invitation(survey, eero)  # invited, did not answer: a response rate of 50 %
    return network


def test_the_finnish_report_names_the_municipality_and_its_hand_counted_attendance(season_use):
    text = text_of(season_report_pdf(season_use.membership_a, "fi"))

    assert "Kausiraportti" in text and "Ylöjärvi" in text
    # held events: registered, present (B's participant and the cancellation do not count)
    assert line_with(text, "Strategiaseminaari").endswith("2 2")
    assert line_with(text, "Talousseminaari").endswith("3 1")
    assert line_with(text, "Luottamushenkilökoulutus").endswith("0 –")  # nobody: not marked
    assert re.search(r"Läsnä yhteensä\s*3", text)
    # entitlements: theme seminars 6, 2 held, both attended by A, 3 present in all
    assert re.search(r"Teemaseminaari\s+6 2 2 3 0", text)
    # who took part, with the number of held events they attended
    assert re.search(r"Aino Aaltonen .* 2 Strategiaseminaari; Talousseminaari", text)
    assert re.search(r"Eero Eskola .* 1 Strategiaseminaari", text)
    assert re.search(r"Kaisa Koski .* 0 –", text)
    assert "Orivesi" not in text  # nothing of B's
    # workshops and their reports; the analysis not yet delivered; the feedback
    assert "Hyvinvointityöpaja" in text and "Työpajan raportti" in text
    assert "Elinvoimatyöpaja" in text
    assert "Erinomainen päivä" in text
    assert re.search(r"Kehittämistyöpaja\s+1 50 % 5,0 4,0", text)
    assert re.search(r"1 / \d", text)  # page numbers


def test_the_swedish_report_has_the_same_counts(season_use):
    text = text_of(season_report_pdf(season_use.membership_a, "sv"))

    assert "Säsongsrapport" in text and "Ylöjärvi" in text
    assert line_with(text, "Strategiseminarium").endswith("2 2")
    assert line_with(text, "Ekonomiseminarium").endswith("3 1")
    assert "Aino Aaltonen" in text and "Orivesi" not in text


def test_the_municipalitys_language_is_the_default(season_use):
    municipality = season_use.municipality_a
    municipality.preferred_language = "sv"
    municipality.save()
    assert "Säsongsrapport" in text_of(season_report_pdf(season_use.membership_a))


def test_a_member_that_used_nothing_gets_a_report_that_says_so(network):
    text = text_of(season_report_pdf(network.membership_b, "fi"))
    assert "Orivesi" in text
    assert "Kunnasta ei ollut ketään ilmoittautuneena pidettyihin tilaisuuksiin." in text
    assert "Kunnalla ei ole tämän kauden työpajoja." in text


def test_the_reports_queries_do_not_grow_with_events_people_and_workshops(network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from usage.reports.render import report_context

    def add(i: int) -> None:
        person = ContactPersonFactory(municipality=network.municipality_a, name=f"QP{i:02d}")
        event = PastEventFactory(season=network.membership_a.season, start=in_days(-i - 1))
        RegistrationFactory(event=event, contact_person=person, attendance=Attendance.PRESENT)
        workshop = ScheduledWorkshopFactory(
            membership=network.membership_a, status=WorkshopStatus.REPORTED
        )
        DeliverableFactory(workshop=workshop, kind="report", uploaded_by=network.consultant)
        answer(bare_invitation(bare_survey(workshop=workshop), person), worth=4)

    def counted() -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            context = report_context(network.membership_a)
        return len(queries), context

    add(0)
    one, _context = counted()
    for i in range(1, 50):
        add(i)
    many, context = counted()

    assert many == one
    assert len(context["participants"]) == 50 and len(context["workshops"]) == 50
    assert context["attended_total"] == 50
