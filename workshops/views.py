"""Portal views of the development workshops: the municipality's, the consultant's and staff's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from municipalities.models import Membership, Season
from municipalities.selectors import membership_current_for
from uso_portal import ical, xlsx
from uso_portal.params import query_param
from uso_portal.uploads import serve_private

from . import selectors, services
from .forms import CommentForm, DeliverableForm, ScheduleForm, TransitionForm, WorkshopForm
from .models import Workshop, WorkshopKind, WorkshopStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refuse(form, error: ValidationError) -> None:
    form.add_error(None, error)


@login_required
@require_safe
def workshop_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    workshops = list(selectors.workshop_list_for(user=user).order_by("starts_at", "created_at"))
    groups = [(status, [w for w in workshops if w.status == status]) for status in WorkshopStatus]
    membership = membership_current_for(user=user) if user.is_municipal_contact else None
    context = {
        "groups": [(status, items) for status, items in groups if items],
        "membership": membership,
        "quota": selectors.quota_for(membership) if membership else None,
    }
    return render(request, "workshops/workshop_list.html", context)


def _membership_for_proposal(request: HttpRequest) -> Membership:
    user = request.user
    if user.is_municipal_contact:
        membership = membership_current_for(user=user)
        if membership is None:
            raise Http404("Not a member of any season.")
        return membership
    membership = get_object_or_404(
        Membership.objects.visible_to(user).select_related("municipality", "season"),
        pk=query_param(request, "membership", forms.IntegerField(min_value=1), default=0),
    )
    if not selectors.can_manage(user, Workshop(membership=membership)):
        raise Http404("Not your municipality.")
    return membership


@login_required
def workshop_propose(request: HttpRequest) -> HttpResponse:
    membership = _membership_for_proposal(request)
    manager = not request.user.is_municipal_contact
    form = WorkshopForm(request.POST or None, season=membership.season, schedule=False)
    quota = selectors.quota_for(membership)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_propose(
                membership=membership, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The workshop was proposed."))
            return redirect("workshops:workshop_detail", pk=workshop.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "membership": membership, "quota": quota, "manager": manager}
    return render(request, "workshops/workshop_form.html", context, status=status)


@login_required
@require_safe
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(user=request.user, pk=pk)
    return render(request, "workshops/workshop_detail.html", _detail_context(request, workshop))


def _detail_context(request: HttpRequest, workshop, **forms) -> dict:
    manager = selectors.can_manage(request.user, workshop)
    allowed = sorted(services.TRANSITIONS[workshop.status], key=list(WorkshopStatus).index)
    if not manager:
        allowed = [status for status in allowed if status == WorkshopStatus.CANCELLED]
    initial = {
        name: getattr(workshop, name) for name in ("starts_at", "ends_at", "place", "online_link")
    }
    return {
        "workshop": workshop,
        "manager": manager,
        "allowed": allowed,
        "editable": workshop.status
        in ({"proposed", "planned", "scheduled"} if manager else {"proposed"}),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(initial=initial, prefix="schedule"),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "deliverable_form": forms.get("deliverable_form") or DeliverableForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
        **selectors.workshop_detail(user=request.user, workshop=workshop),
    }


@login_required
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(user=request.user, pk=pk)
    manager = selectors.can_manage(request.user, workshop)
    form = WorkshopForm(
        request.POST or None, instance=workshop, season=workshop.membership.season, schedule=manager
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_update(workshop=workshop, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refuse(form, error)
        except PermissionDenied:
            _refuse(form, ValidationError(_("You cannot change these details any more.")))
        else:
            messages.success(request, _("The workshop was saved."))
            return redirect("workshops:workshop_detail", pk=workshop.pk)
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "workshop": workshop,
        "membership": workshop.membership,
        "manager": manager,
    }
    return render(request, "workshops/workshop_form.html", context, status=status)


@login_required
@require_POST
def workshop_transition(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(user=request.user, pk=pk)
    to_status = request.POST.get("to", "")
    if to_status not in WorkshopStatus.values:
        raise Http404("Unknown status.")
    scheduling = to_status == WorkshopStatus.SCHEDULED
    form = (
        ScheduleForm(request.POST, prefix="schedule")
        if scheduling
        else TransitionForm(request.POST)
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note", "")
        schedule = {key: value for key, value in data.items() if value not in (None, "")}
        try:
            services.workshop_transition(
                workshop=workshop, to_status=to_status, actor=request.user, note=note, **schedule
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            messages.error(
                request, _("Only the responsible consultant or the network's staff can do that.")
            )
        else:
            messages.success(
                request,
                _("The workshop is now %(status)s.")
                % {"status": WorkshopStatus(to_status).label.lower()},
            )
    else:
        messages.error(
            request, _("Check the details: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("workshops:workshop_detail", pk=workshop.pk)


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(workshop=workshop, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your comment was added; the other side is told by e-mail."))
        return redirect("workshops:workshop_detail", pk=workshop.pk)
    context = _detail_context(request, workshop, comment_form=form)
    return render(request, "workshops/workshop_detail.html", context, status=422)


@login_required
@require_POST
def deliverable_upload(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, workshop):
        raise PermissionDenied
    form = DeliverableForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deliverable_add(workshop=workshop, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The file was added."))
            return redirect("workshops:workshop_detail", pk=workshop.pk)
    context = _detail_context(request, workshop, deliverable_form=form)
    return render(request, "workshops/workshop_detail.html", context, status=422)


@login_required
@require_safe
def deliverable_download(request: HttpRequest, pk: int) -> FileResponse:
    deliverable = selectors.deliverable_for(user=request.user, pk=pk)
    return serve_private(deliverable.file, filename=deliverable.filename)


@login_required
@require_safe
def workshop_ics(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(user=request.user, pk=pk)
    if workshop.status not in (
        WorkshopStatus.SCHEDULED,
        WorkshopStatus.HELD,
        WorkshopStatus.REPORTED,
    ):
        raise Http404("The workshop has no date yet.")
    calendar = ical.new_calendar("PUBLISH")
    calendar.add_component(
        ical.new_event(
            uid=f"{workshop.uid}@uso-portal",
            sequence=workshop.sequence,
            start=workshop.starts_at,
            end=workshop.ends_at,
            summary=f"{workshop.title} ({workshop.membership.municipality.name})",
            description=workshop.description,
            location=workshop.place,
            url=workshop.online_link,
        )
    )
    response = HttpResponse(ical.to_bytes(calendar), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workshop-{workshop.pk}.ics"'
    return response


@login_required
@require_safe
def consultant_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.municipality_id is not None or not user.is_staff:
        raise PermissionDenied
    rows = selectors.consultant_overview(user=user)
    return render(request, "workshops/consultant_home.html", {"rows": rows})


def _season_rows(request: HttpRequest, slug: str):
    if not selectors.sees_all(request.user):
        raise PermissionDenied
    season = get_object_or_404(Season, slug=slug)
    return season, selectors.season_overview(user=request.user, season=season)


@login_required
@require_safe
def season_overview(request: HttpRequest, slug: str) -> HttpResponse:
    season, rows = _season_rows(request, slug)
    context = {
        "season": season,
        "rows": rows,
        "totals": selectors.season_totals(rows),
        "kinds": list(WorkshopKind),
        "statuses": list(WorkshopStatus),
    }
    return render(request, "workshops/season_overview.html", context)


@login_required
@require_safe
def season_overview_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    season, rows = _season_rows(request, slug)
    header = [
        _("Code"),
        _("Municipality"),
        _("Responsible consultant"),
        _("Available"),
        _("Used"),
        _("Remaining"),
    ]
    header += [str(status.label) for status in WorkshopStatus] + [
        str(kind.label) for kind in WorkshopKind
    ]
    data = [
        [
            row.membership.municipality.code,
            row.membership.municipality.name,
            str(row.membership.responsible_consultant or ""),
            row.quota.total,
            row.quota.used,
            row.quota.remaining,
            *[row.quota.by_status.get(status.value, 0) for status in WorkshopStatus],
            *[row.by_kind.get(kind.value, 0) for kind in WorkshopKind],
        ]
        for row in rows
    ]
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, _("Workshops %(season)s") % {"season": season.slug}, header, data)
    response = HttpResponse(xlsx.to_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="workshops-{season.slug}.xlsx"'
    return response
