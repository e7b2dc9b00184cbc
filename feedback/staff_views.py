"""Staff pages of the feedback results (`/staff/feedback/…`), linked from the admin.

Network staff see every survey; a consultant the surveys they are responsible for (their
workshops; events whose survey names them); finance and contacts none (403). The survey's rule
decides (`Survey.objects.visible_to`): another consultant's survey is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events.models import Event, EventStatus
from municipalities.models import Season
from municipalities.scoping import may_view
from workshops.models import Workshop

from . import selectors, services
from .models import Survey

SEND_PERMISSION = "feedback.add_survey"


def _require_results(request: HttpRequest) -> None:
    if not may_view(request.user, Survey):
        raise PermissionDenied


def _not_surveyed(season: Season):
    """Held events and workshops of the season without a survey yet."""
    now = timezone.now()
    events = (
        Event.objects.filter(season=season, feedback_survey__isnull=True, end__lte=now)
        .filter(Q(status=EventStatus.HELD) | Q(status=EventStatus.PUBLISHED))
        .only("pk", "title_fi", "title_sv", "title_en", "start", "kind")
        .order_by("start")
    )
    workshops = (
        Workshop.objects.filter(
            membership__season=season,
            feedback_survey__isnull=True,
            status__in=services.HELD_WORKSHOP,
        )
        .select_related("membership__municipality")
        .order_by("starts_at")
    )
    return list(events), list(workshops)


@login_required
@require_safe
def season_results(request: HttpRequest, slug: str) -> HttpResponse:
    _require_results(request)
    season = get_object_or_404(Season, slug=slug)
    surveys = list(selectors.survey_list_for(user=request.user, season=season))
    context = {
        "season": season,
        "surveys": surveys,
        "kinds": selectors.season_summary_for(user=request.user, season=season),
        "may_send": request.user.has_perm(SEND_PERMISSION),
    }
    if context["may_send"]:
        context["events"], context["workshops"] = _not_surveyed(season)
    return render(request, "feedback/season_results.html", context)


@login_required
@require_safe
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    _require_results(request)
    survey = Survey.objects.select_related("template", "season").get_visible_or_404(
        request.user, pk=pk
    )
    results = selectors.survey_results(survey=survey)
    return render(request, "feedback/survey_results.html", {"results": results, "survey": survey})


@login_required
@require_POST
def survey_send(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Send the feedback survey" of a held event or workshop of the season."""
    if not request.user.has_perm(SEND_PERMISSION) or request.user.municipality_id is not None:
        raise PermissionDenied
    season = get_object_or_404(Season, slug=slug)
    event_pk, workshop_pk = request.POST.get("event", ""), request.POST.get("workshop", "")
    target = {}
    if event_pk.isdigit():
        target["event"] = get_object_or_404(Event, pk=int(event_pk), season=season)
    elif workshop_pk.isdigit():
        target["workshop"] = get_object_or_404(
            Workshop, pk=int(workshop_pk), membership__season=season
        )
    else:
        messages.error(request, _("Choose an event or a workshop."))
        return redirect("feedback:season_results", slug=season.slug)
    try:
        result = services.survey_send(by=request.user, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Feedback survey sent: %(count)d invited.") % {"count": result.invited},
        )
    return redirect("feedback:season_results", slug=season.slug)
