"""The feedback form in Chromium, in Finnish and in Swedish: a participant opens the link of
the e-mail (no login), axe-core finds no serious or critical WCAG 2.1 A/AA violation on the
form or the thank-you page, the form is answered with the keyboard and mouse as a person would,
and the answer is recorded once, anonymously."""

import pytest
from playwright.sync_api import expect

from feedback.models import Invitation, Response
from feedback.services import token_for

from ..feedback.factories import bare_invitation, bare_survey, participants
from .conftest import axe_violations, reflow_problems, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXTS = {
    "fi": ("Oliko tilaisuus käyttämäsi ajan arvoinen?", "Lähetä palaute", "Kiitos palautteestasi"),
    "sv": (
        "Var tillfället värt den tid du lade på det?",
        "Skicka responsen",
        "Tack för din respons",
    ),
}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_participant_answers_the_feedback_form(network, new_page, language):
    # given: a held seminar's survey and a participant's personal link in their language
    from ..events.factories import PastEventFactory

    event = PastEventFactory(
        season=network.membership_a.season,
        title_fi="Teemaseminaari: kestävä kuntajohtaminen",
        title_sv="Temaseminarium: hållbart kommunalt ledarskap",
    )
    survey = bare_survey(event=event)
    (person,) = participants(network.municipality_a, 1)
    invitation = bare_invitation(survey, person, language=language)
    worth_question, send, thanks = TEXTS[language]

    # when the participant opens the link (axe needs the CSP bypassed to be injected)
    page = new_page(bypass_csp=True)
    response = page.goto(f"/feedback/{token_for(invitation)}/")

    # then the form is in their language and accessible
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("group", name=worth_question)).to_be_visible()
    found = {"form": axe_violations(page) + reflow_problems(page)}
    screenshot(page, f"feedback-{language}-form")

    # when they answer: a score by its label, a statement with the keyboard, a comment
    page.get_by_role("group", name=worth_question).get_by_label("4", exact=True).check()
    statement = page.get_by_role("radio").nth(5 + 4)  # the first statement's "5"
    statement.focus()
    page.keyboard.press("Space")
    page.locator("textarea").first.fill("Hyviä esimerkkejä <b>muista</b> kunnista")
    page.get_by_role("button", name=send).click()
    page.wait_for_load_state()

    # then a thank-you page, accessible too, and one anonymous answer
    expect(page.get_by_role("heading", level=1)).to_contain_text(thanks)
    found["thanks"] = axe_violations(page) + reflow_problems(page)
    screenshot(page, f"feedback-{language}-thanks")
    (answer,) = Response.objects.filter(survey=survey)
    assert answer.worth == 4
    assert 5 in answer.scores.values()
    assert "Hyviä esimerkkejä <b>muista</b> kunnista" in answer.comments.values()
    assert Invitation.objects.get(pk=invitation.pk).answered

    # and the link again says that they have answered
    page.goto(f"/feedback/{token_for(invitation)}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert Response.objects.filter(survey=survey).count() == 1
    report = [f"{name}: {line}" for name, lines in found.items() for line in lines]
    assert not report, "\n".join(["accessibility problems:", *report])
