"""The workflow of a development workshop: the allowed steps and the refused ones with their
reasons, who may move or edit a workshop, the portal's buttons and the e-mails."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib import messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from municipalities.roles import StaffRole
from workshops import services
from workshops.models import DeliverableKind, Workshop, WorkshopTransition
from workshops.models import WorkshopStatus as S
from workshops.services import TRANSITIONS

from ..conftest import client_for
from ..municipalities.factories import ContactUserFactory, SeasonFactory, StaffUserFactory
from .factories import (
    DeliverableFactory,
    ScheduledWorkshopFactory,
    WorkshopFactory,
    WorkshopTopicFactory,
)

ALLOWED = [(f, t) for f in S.values for t in S.values if t in TRANSITIONS[f]]
REFUSED = [(f, t) for f in S.values for t in S.values if t not in TRANSITIONS[f]]
FORWARD = [(f, t) for f, t in ALLOWED if t != S.CANCELLED]
TIMED = {S.SCHEDULED, S.HELD, S.REPORTED}
FORMAT = "%Y-%m-%dT%H:%M"
MONTH = timedelta(days=30)
PROPOSAL = {"kind": "seminar", "topic_other": "Talous", "audiences": ["officials"], "title": "T"}


def hours_from_now(hours: float) -> datetime:
    return timezone.now() + timedelta(hours=hours)


def make_workshop(network, status, **fields) -> Workshop:
    """A workshop of A in `status`; from scheduled on it has a time and a place."""
    factory = ScheduledWorkshopFactory if status in TIMED else WorkshopFactory
    return factory(
        membership=network.membership_a, proposed_by=network.contact_a, status=status, **fields
    )


def ready_for(network, from_status, to_status) -> Workshop:
    """A workshop in `from_status` meeting every condition of a move to `to_status`."""
    if from_status in TIMED:
        workshop = make_workshop(network, from_status, starts_at=hours_from_now(-3))
    elif to_status == S.SCHEDULED:
        start = hours_from_now(48)
        end = start + timedelta(hours=3)
        workshop = make_workshop(network, from_status, starts_at=start, ends_at=end, place="Sali")
    else:
        workshop = make_workshop(network, from_status)
    if to_status == S.REPORTED:
        DeliverableFactory(workshop=workshop, uploaded_by=network.consultant)
    return workshop


def row(workshop) -> dict:
    return Workshop.objects.values().get(pk=workshop.pk)


def move(workshop, to_status, actor, **kwargs) -> Workshop:
    return services.workshop_transition(
        workshop=workshop, to_status=to_status, actor=actor, **kwargs
    )


def edit(workshop, actor, **changes) -> Workshop:
    return services.workshop_update(workshop=workshop, actor=actor, **changes)


def steps(workshop) -> list[tuple[str, str, object]]:
    transitions = WorkshopTransition.objects.filter(workshop=workshop)
    return [(step.from_status, step.to_status, step.by) for step in transitions]


def assert_refused(workshop, to_status, actor, code, **schedule) -> None:
    before = row(workshop)
    with pytest.raises(ValidationError) as refusal:
        move(workshop, to_status, actor, **schedule)
    assert refusal.value.code == code
    assert row(workshop) == before
    assert steps(workshop) == []


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_moves_the_workshop_and_is_recorded(network, from_status, to_status):
    # given
    workshop = ready_for(network, from_status, to_status)
    before = timezone.now()

    # when
    move(workshop, to_status, network.consultant, note="Sovittu")

    # then
    assert row(workshop)["status"] == to_status
    assert steps(workshop) == [(from_status, to_status, network.consultant)]
    step = WorkshopTransition.objects.get(workshop=workshop)
    assert step.note == "Sovittu"
    assert before <= step.at <= timezone.now()


@pytest.mark.parametrize("where", [{"place": "Valtuustosali"}, {"online_link": "https://m.fi/x"}])
def test_scheduling_takes_the_time_and_place_as_arguments(network, where):
    # given
    workshop = make_workshop(network, S.PLANNED)
    start, end = hours_from_now(72), hours_from_now(74)

    # when
    move(workshop, S.SCHEDULED, network.staff, starts_at=start, ends_at=end, **where)

    # then
    workshop.refresh_from_db()
    assert (workshop.status, workshop.starts_at, workshop.sequence) == (S.SCHEDULED, start, 0)
    assert workshop.ends_at == end
    assert {name: getattr(workshop, name) for name in where} == where
    assert steps(workshop) == [(S.PLANNED, S.SCHEDULED, network.staff)]


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_other_transition_is_illegal(network, from_status, to_status):
    workshop = ready_for(network, from_status, to_status)
    assert_refused(workshop, to_status, network.consultant, "illegal_transition")


@pytest.mark.parametrize(
    ("schedule", "code"),
    [
        ({"place": "Sali"}, "no_time"),
        ({"starts_at": hours_from_now(48), "place": "Sali"}, "no_time"),
        ({"starts_at": hours_from_now(48), "ends_at": hours_from_now(50)}, "no_place"),
    ],
)
def test_scheduling_needs_a_time_and_a_place(network, schedule, code):
    workshop = make_workshop(network, S.PLANNED)
    assert_refused(workshop, S.SCHEDULED, network.consultant, code, **schedule)


def test_a_workshop_is_held_only_after_it_started(network):
    workshop = make_workshop(network, S.SCHEDULED, starts_at=hours_from_now(1))
    assert_refused(workshop, S.HELD, network.consultant, "not_started")


def test_reported_needs_a_report_not_just_material(network):
    # given
    workshop = make_workshop(network, S.HELD, starts_at=hours_from_now(-5))
    DeliverableFactory(
        workshop=workshop, kind=DeliverableKind.MATERIAL, uploaded_by=workshop.proposed_by
    )

    # when / then
    assert_refused(workshop, S.REPORTED, network.consultant, "no_report")


@pytest.mark.parametrize(("from_status", "to_status"), FORWARD)
def test_contact_cannot_move_the_workflow_forward(network, from_status, to_status):
    workshop = ready_for(network, from_status, to_status)
    assert_refused(workshop, to_status, network.contact_a, "not_allowed")


@pytest.mark.parametrize("from_status", [S.PROPOSED, S.PLANNED, S.SCHEDULED])
def test_contact_may_cancel(network, from_status):
    workshop = make_workshop(network, from_status)
    move(workshop, S.CANCELLED, network.contact_a)
    assert steps(workshop) == [(from_status, S.CANCELLED, network.contact_a)]
    # a cancelled date reaches calendars as a new version
    assert row(workshop)["sequence"] == (1 if from_status == S.SCHEDULED else 0)


@pytest.mark.parametrize("persona", ["contact_b", "finance", "other_consultant"])
@pytest.mark.parametrize("to_status", [S.PLANNED, S.CANCELLED])
def test_outsiders_cannot_move_a_workshop(network, persona, to_status):
    # given
    if persona == "other_consultant":
        actor = StaffUserFactory(role=StaffRole.CONSULTANT)
    else:
        actor = getattr(network, persona)
    workshop = make_workshop(network, S.PROPOSED)

    # when / then
    with pytest.raises(PermissionDenied):
        move(workshop, to_status, actor)
    assert (row(workshop)["status"], steps(workshop)) == (S.PROPOSED, [])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("contact_a", S.PROPOSED), *[("consultant", s) for s in (S.PROPOSED, S.PLANNED, S.SCHEDULED)]],
)
def test_edits_while_the_workshop_is_open(network, persona, status):
    workshop = make_workshop(network, status)
    edit(workshop, getattr(network, persona), title="Muokattu", goals="Tavoite")
    workshop.refresh_from_db()
    assert (workshop.title, workshop.goals) == ("Muokattu", "Tavoite")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        *[("contact_a", s) for s in (S.PLANNED, S.SCHEDULED, S.HELD, S.REPORTED, S.CANCELLED)],
        *[("consultant", s) for s in (S.HELD, S.REPORTED, S.CANCELLED)],
    ],
)
def test_no_edits_once_the_workshop_is_closed_to_the_editor(network, persona, status):
    workshop = make_workshop(network, status)
    with pytest.raises(ValidationError) as refusal:
        edit(workshop, getattr(network, persona), title="Muokattu")
    assert refusal.value.code == "not_editable"
    assert row(workshop)["title"] == workshop.title


def test_contact_edits_only_the_proposal_fields(network):
    workshop = make_workshop(network, S.PROPOSED)
    with pytest.raises(PermissionDenied):
        edit(workshop, network.contact_a, starts_at=hours_from_now(24))
    assert row(workshop)["starts_at"] is None


def test_update_refuses_a_topic_of_another_season(network):
    # given
    other_season = SeasonFactory(slug="2019-2020", start_date="2019-01-01", end_date="2020-12-31")
    foreign_topic = WorkshopTopicFactory(season=other_season)
    workshop = make_workshop(network, S.PROPOSED)

    # when / then: as `workshop_propose` refuses it
    with pytest.raises(ValidationError):
        edit(workshop, network.contact_a, topic=foreign_topic)
    assert row(workshop)["topic_id"] is None


def test_rescheduling_a_scheduled_workshop_increments_its_sequence(network):
    # given
    planned = make_workshop(network, S.PLANNED)
    workshop = make_workshop(network, S.SCHEDULED)
    day = timedelta(days=1)

    # when: the same place and a new title are not a new time; a new start and end are
    edit(planned, network.consultant, place="Sali", expected_participants=40)
    edit(workshop, network.consultant, place=workshop.place)
    edit(workshop, network.consultant, title="Uusi")
    start, end = workshop.starts_at + day, workshop.ends_at + day
    edit(workshop, network.consultant, starts_at=start, ends_at=end)

    # then: a planned workshop is not in calendars yet
    assert (row(planned)["sequence"], row(workshop)["sequence"]) == (0, 1)


# --- Portal -----------------------------------------------------------------------------------


def detail_url(workshop) -> str:
    return reverse("workshops:workshop_detail", args=[workshop.pk])


def post_transition(client, workshop, data):
    url = reverse("workshops:workshop_transition", args=[workshop.pk])
    return client.post(url, data, follow=True)


def levels(response) -> list[int]:
    return [message.level for message in response.context["messages"]]


def test_portal_schedules_with_the_prefixed_fields(network):
    # given
    workshop = make_workshop(network, S.PLANNED)
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + MONTH
    data = {
        "to": "scheduled",
        "schedule-starts_at": start.strftime(FORMAT),
        "schedule-ends_at": start.replace(hour=12).strftime(FORMAT),
        "schedule-place": "Valtuustosali",
        "schedule-note": "Sovittu puhelimessa",
    }

    # when
    response = post_transition(client_for(network, "consultant"), workshop, data)

    # then
    assert response.redirect_chain == [(detail_url(workshop), 302)]
    assert levels(response) == [messages.SUCCESS]
    workshop.refresh_from_db()
    assert (workshop.status, workshop.place) == (S.SCHEDULED, "Valtuustosali")
    assert (workshop.starts_at, workshop.ends_at) == (start, start.replace(hour=12))
    assert workshop.transitions.get().note == "Sovittu puhelimessa"


@pytest.mark.parametrize(
    ("persona", "status", "data"),
    [
        ("consultant", S.PROPOSED, {"to": "reported"}),
        ("consultant", S.PLANNED, {"to": "scheduled", "schedule-place": "Sali"}),
        ("consultant", S.PLANNED, {"to": "scheduled", "schedule-starts_at": "huomenna"}),
        ("contact_a", S.PROPOSED, {"to": "planned"}),
        ("contact_a", S.PLANNED, {"to": "scheduled", "schedule-place": "Sali"}),
    ],
)
def test_portal_refuses_with_an_error_message(network, persona, status, data):
    workshop = make_workshop(network, status)
    before = row(workshop)
    response = post_transition(client_for(network, persona), workshop, data)
    assert response.status_code == 200
    assert levels(response) == [messages.ERROR]
    assert (row(workshop), steps(workshop)) == (before, [])


@pytest.mark.parametrize(
    ("persona", "status", "buttons"),
    [
        ("consultant", S.PROPOSED, {"planned", "cancelled"}),
        ("staff", S.PLANNED, {"scheduled", "cancelled"}),
        ("consultant", S.SCHEDULED, {"held", "cancelled"}),
        ("consultant", S.HELD, {"reported"}),
        ("consultant", S.CANCELLED, set()),
        ("contact_a", S.PROPOSED, {"cancelled"}),
        ("contact_a", S.SCHEDULED, {"cancelled"}),
        ("contact_a", S.HELD, set()),
    ],
)
def test_detail_page_shows_only_the_allowed_buttons(network, persona, status, buttons):
    workshop = make_workshop(network, status)
    response = client_for(network, persona).get(detail_url(workshop))
    assert set(re.findall(r'name="to" value="(\w+)"', response.content.decode())) == buttons


# --- E-mail -----------------------------------------------------------------------------------


def subject(msgid: str, workshop, language: str = "fi") -> str:
    with translation.override(language):
        return gettext(msgid) % {"title": workshop.title}


def test_consultants_step_emails_the_municipalitys_logins_in_its_language(
    network, django_capture_on_commit_callbacks
):
    # given: a second login of A, a retired one; B's contact is not told
    network.municipality_a.preferred_language = "sv"
    network.municipality_a.save()
    ContactUserFactory(email="second.a@example.fi", municipality=network.municipality_a)
    ContactUserFactory(municipality=network.municipality_a, is_active=False)
    workshop = make_workshop(network, S.PROPOSED)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        move(workshop, S.PLANNED, network.consultant)

    # then: a text and an HTML part, in Swedish
    assert sorted(m.to[0] for m in mail.outbox) == ["contact.a@example.fi", "second.a@example.fi"]
    message = mail.outbox[0]
    assert message.subject == subject("Workshop planned: %(title)s", workshop, "sv")
    assert message.subject != subject("Workshop planned: %(title)s", workshop, "fi")
    with translation.override("sv"):
        greeting = gettext("Hello,")
    assert message.body.startswith(greeting)
    assert detail_url(workshop) in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="sv">' in html
    assert greeting in html
    assert detail_url(workshop) in html


@pytest.mark.parametrize(
    ("action", "msgid"),
    [
        ("propose", "New workshop proposal: %(title)s"),
        ("cancel", "Workshop cancelled: %(title)s"),
        ("comment", "New comment on the workshop: %(title)s"),
    ],
)
def test_contacts_action_emails_the_responsible_consultant(
    network, django_capture_on_commit_callbacks, action, msgid
):
    # given
    workshop = make_workshop(network, S.PLANNED)
    contact = network.contact_a

    # when
    with django_capture_on_commit_callbacks(execute=True):
        if action == "propose":
            workshop = services.workshop_propose(
                membership=network.membership_a, actor=contact, **PROPOSAL
            )
        elif action == "cancel":
            move(workshop, S.CANCELLED, contact)
        else:
            services.comment_add(workshop=workshop, actor=contact, body="Sopiiko tiistai?")

    # then
    (message,) = mail.outbox
    assert message.to == [network.consultant.email]
    assert message.subject == subject(msgid, workshop)
    assert [mimetype for _html, mimetype in message.alternatives] == ["text/html"]
    if action == "comment":
        assert "Sopiiko tiistai?" in message.body
