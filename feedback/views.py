"""The public answer page: `/feedback/<token>/`, no login; the signed token is the only key.

The page speaks the recipient's language (the invitation's, unless the person chose another
with the language switcher). A link that was not made by the portal, a closed survey and a
second answer each get a page of their own that says what happened (404, 410 and 200)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .forms import AnswerForm

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _problem(request: HttpRequest, problem: str, status: int, survey=None) -> HttpResponse:
    return render(
        request, "feedback/link_problem.html", {"problem": problem, "survey": survey}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _problem(request, "invalid", 404)
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) not in SUPPORTED:
        language = invitation.language if invitation.language in SUPPORTED else "fi"
        translation.activate(language)
        request.LANGUAGE_CODE = language
    survey = invitation.survey
    if request.GET.get("done") == "1" and invitation.answered:
        return render(request, "feedback/thanks.html", {"survey": survey})
    if invitation.answered:
        return _problem(request, "answered", 200, survey)
    if survey.closes_at <= timezone.now():
        return _problem(request, "expired", 410, survey)
    questions = list(survey.template.questions.all())
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(invitation=invitation, answers=form.answers())
        except services.SurveyClosed:
            return _problem(request, "expired", 410, survey)
        except services.AlreadyAnswered:
            return _problem(request, "answered", 200, survey)
        return redirect(f"{request.path}?done=1")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "feedback/answer.html",
        {"form": form, "survey": survey, "template": survey.template},
        status=status,
    )
