"""Results against hand-computed numbers, who sees them, the season report's selector, the
contact's panel, the staff page's "send", retention and the demo."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from feedback import demo, selectors, services
from feedback.models import WORKSHOP_KIND, Invitation, Response, Survey
from outbox.models import Message
from tests.auth import login

from ..municipalities.factories import SeasonFactory
from .factories import answer, held_event, held_workshop, participants

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_event(network):
    """Five invited, three answered:
    worth 5, 4, 2 → mean 11/3 = 3.67 → 3.7; rate 3/5 = 60 %;
    statement 1: 5, 3, (none) → mean 4.0; statement 2: 4, 4, 1 → 9/3 = 3.0."""
    people = participants(network.municipality_a, 5)
    event = held_event(network.membership_a.season, people, kind="theme_seminar")
    survey = services.survey_send(event=event).survey
    first, second, third, *_rest = survey.invitations.order_by("pk")
    answer(first, worth=5, statements=[5, 4], comments=["Erinomainen", ""])
    answer(second, worth=4, statements=[3, 4], comments=["", "Lisää aikaa keskustelulle"])
    answer(third, worth=2, statements=[None, 1])
    return survey


def test_survey_results_are_the_hand_computed_numbers(answered_event):
    results = selectors.survey_results(survey=answered_event)
    assert (results.invited, results.answered, results.rate) == (5, 3, 60)
    worth, statement1, statement2, *_others, best, improve = results.questions
    assert worth.distribution == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    assert (worth.count, worth.mean) == (3, Decimal("3.7"))
    assert (statement1.count, statement1.mean) == (2, Decimal("4.0"))
    assert (statement2.count, statement2.mean) == (3, Decimal("3.0"))
    assert best.comments == ["Erinomainen"]
    assert improve.comments == ["Lisää aikaa keskustelulle"]


def test_the_summary_per_kind_and_season(network, answered_event):
    # given: a workshop of A with its one contact person answering 3
    workshop = held_workshop(network.membership_a, proposed_by=network.contact_a)
    survey = services.survey_send(workshop=workshop).survey
    answer(survey.invitations.get(), worth=3, statements=[2, 2, 2, 2], comments=["Hyödyllinen"])

    kinds = selectors.season_summary_for(user=network.staff, season=survey.season)

    seminar, workshops = kinds
    assert (seminar.kind, seminar.surveys, seminar.invited, seminar.answered) == (
        "theme_seminar",
        1,
        5,
        3,
    )
    assert seminar.worth_mean == Decimal("3.7")
    # statements: 5, 4, 3, 4, 1 → 17/5 = 3.4
    assert seminar.statement_mean == Decimal("3.4")
    assert (workshops.kind, workshops.rate, workshops.worth_mean) == (WORKSHOP_KIND, 100, 3)
    assert workshops.statement_mean == Decimal("2.0")

    summary = selectors.summary_for_municipality(network.municipality_a, survey.season)
    assert [(s.kind, s.answered, s.highlights) for s in summary.workshops] == [
        (WORKSHOP_KIND, 1, ["Hyödyllinen"])
    ]
    assert [(s.kind, s.answered) for s in summary.events] == [("theme_seminar", 3)]
    # B has no workshops: its own part is empty, the network's events the same
    summary_b = selectors.summary_for_municipality(network.municipality_b, survey.season)
    assert summary_b.workshops == [] and len(summary_b.events) == 1


def test_who_sees_the_results(network, answered_event):
    url = reverse("feedback:survey_results", args=[answered_event.pk])
    season_url = reverse("feedback:season_results", args=[answered_event.season.slug])

    def status(user, target=url):
        return login(Client(), user).get(target).status_code

    # an event's survey: network staff; a consultant once staff name them
    assert status(network.staff) == 200
    assert status(network.consultant) == 404
    assert status(network.finance) == 403
    assert status(network.contact_a) == 403
    Survey.objects.filter(pk=answered_event.pk).update(responsible_consultant=network.consultant)
    assert status(network.consultant) == 200
    page = login(Client(), network.consultant).get(season_url).content.decode()
    assert answered_event.title in page


def test_the_contact_sees_their_workshops_feedback_on_the_dashboard(network):
    workshop = held_workshop(network.membership_a, proposed_by=network.contact_a)
    survey = services.survey_send(workshop=workshop).survey
    answer(survey.invitations.get(), worth=4, comments=["Selkeä ja käytännöllinen"])

    own = login(Client(), network.contact_a).get(reverse("municipalities:dashboard"))
    other = login(Client(), network.contact_b).get(reverse("municipalities:dashboard"))

    assert "Palaute kunnan työpajoista" in own.content.decode()
    assert "Selkeä ja käytännöllinen" in own.content.decode()
    assert "Palaute kunnan työpajoista" not in other.content.decode()


def test_staff_send_the_survey_from_the_season_page(network):
    people = participants(network.municipality_a, 2)
    event = held_event(network.membership_a.season, people)
    client = login(Client(), network.staff)
    season_url = reverse("feedback:season_results", args=[event.season.slug])
    assert "Lähetä palautekysely" in client.get(season_url).content.decode()

    send = reverse("feedback:survey_send", args=[event.season.slug])
    response = client.post(send, {"event": event.pk}, follow=True)
    client.post(send, {"event": event.pk})  # twice: nobody is asked twice

    assert "Palautekysely lähetetty: 2 kutsuttu." in response.content.decode()
    assert Message.objects.filter(kind="feedback.invitation").count() == 2
    for data in ({"event": "x"}, {}, {"workshop": "99999"}):
        assert client.post(send, data).status_code in (302, 404)
    assert login(Client(), network.consultant).post(send, {"event": event.pk}).status_code == 403


def test_comments_go_with_the_participants_retention(network):
    # given: a survey of an ended season, and one of the current season
    old = SeasonFactory(slug="2017-2018", start_date="2017-01-01", end_date="2018-12-31")
    people = participants(network.municipality_a, 1)
    event = held_event(old, people, days_ago=5)
    current = held_event(network.membership_a.season, participants(network.municipality_b, 1))
    for target in (event, current):
        survey = services.survey_send(event=target).survey
        answer(survey.invitations.get(), worth=4, comments=["Henkilökohtainen kommentti"])
    new = SeasonFactory(slug="2031-2032", start_date="2031-01-01", end_date="2032-12-31")

    # when
    call_command("anonymize_participants", "--before", new.slug, stdout=io.StringIO())

    # then: the old season's comments and addresses are gone, the scores stay
    old_response = Response.objects.get(survey__event=event)
    assert (old_response.comments, old_response.worth) == ({}, 4)
    assert Invitation.objects.get(survey__event=event).email == ""
    assert not Message.objects.filter(recipient=people[0].email).exists()
    current_response = Response.objects.get(survey__event=current)
    if current.season.end_date >= datetime.date.today():
        assert current_response.comments


def test_the_demo_answers_are_the_same_on_every_run(network):
    people = participants(network.municipality_a, 6)
    event = held_event(network.membership_a.season, people, days_ago=40, title_fi="Demo")
    held_workshop(network.membership_a, proposed_by=network.contact_a, days_ago=40)

    line = demo.load(network.membership_a.season)
    first = sorted((r.worth, sorted(r.scores.values())) for r in Response.objects.all())
    again = demo.load(network.membership_a.season)

    assert line.startswith("Feedback") and "2 surveys" in line
    assert "0 surveys" in again
    assert Response.objects.filter(survey__event=event).exists()
    assert not Message.objects.exists()  # history: nobody is e-mailed
    assert not Response.objects.filter(ballot__isnull=False).exists()  # closed surveys
    # the same seed gives the same answers in another database state
    Response.objects.all().delete()
    Invitation.objects.all().delete()
    Survey.objects.all().delete()
    demo.load(network.membership_a.season)
    assert sorted((r.worth, sorted(r.scores.values())) for r in Response.objects.all()) == first
