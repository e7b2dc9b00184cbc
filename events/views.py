"""Portal views of the programme: events, registrations, materials, announcements, calendars."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from municipalities.models import ContactPerson
from municipalities.permissions import municipal_contact_required
from municipalities.selectors import municipality_for
from uso_portal.uploads import serve_private

from . import calendar, selectors, services
from .forms import RegistrationForm
from .models import CalendarFeed, RegistrationStatus


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.upcoming_and_past(selectors.event_list_for(user=request.user))
    return render(request, "events/event_list.html", {"upcoming": upcoming, "past": past})


def _detail_context(request: HttpRequest, event, form: RegistrationForm | None = None) -> dict:
    user = request.user
    context = {
        "event": event,
        "show_link": selectors.sees_online_link(user=user, event=event),
        "materials": list(event.materials.all()) if event.has_ended() else [],
        "registrations": list(selectors.registration_list_for(user=user, event=event)),
        "is_contact": user.is_municipal_contact,
    }
    if user.is_municipal_contact:
        contacts = ContactPerson.objects.visible_to(user).filter(is_active=True).order_by("name")
        context["form"] = form or RegistrationForm(contacts=contacts)
        context["registration_open"] = event.registration_is_open()
        context["cancellation_open"] = timezone.now() < event.cancellation_deadline_at
    return context


@login_required
@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(user=request.user, pk=pk)
    return render(request, "events/event_detail.html", _detail_context(request, event))


@municipal_contact_required
@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(user=request.user, pk=pk)
    contacts = ContactPerson.objects.visible_to(request.user).filter(is_active=True)
    form = RegistrationForm(request.POST, contacts=contacts)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["contact_person"]:
                registration = services.registration_create(
                    event=event, contact_person=data["contact_person"], actor=request.user
                )
            else:
                registration = services.registration_create_for_new_person(
                    event=event,
                    actor=request.user,
                    name=data["name"],
                    email=data["email"],
                    title=data["title"],
                    role=data["role"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = registration.contact_person.name
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(request, _("%(name)s is registered.") % {"name": name})
            else:
                position = services.waitlist_position(registration)
                if services.municipality_places_taken(registration):
                    text = _(
                        "Your municipality's places in this event are taken: %(name)s is on the "
                        "waitlist (position %(position)d)."
                    )
                else:
                    text = _(
                        "The event is full: %(name)s is on the waitlist (position %(position)d)."
                    )
                messages.warning(request, text % {"name": name, "position": position})
            form = None
    if form is not None and not _is_htmx(request):
        return render(
            request, "events/event_detail.html", _detail_context(request, event, form), status=422
        )
    if _is_htmx(request):
        return render(
            request,
            "events/event_detail.html#registrations",
            _detail_context(request, event, form),
            status=200,
        )
    return redirect("events:event_detail", pk=event.pk)


@municipal_contact_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel after a confirmation: htmx asks in a dialog (`hx-confirm`); a plain form post
    first gets a page that asks, whose button posts `confirmed`."""
    registration = selectors.registration_for(user=request.user, pk=pk)
    event = selectors.event_for(user=request.user, pk=registration.event_id)
    cancellable = timezone.now() < event.cancellation_deadline_at  # else the service explains
    if cancellable and not _is_htmx(request) and request.POST.get("confirmed") != "1":
        return render(
            request,
            "events/registration_cancel_confirm.html",
            {"registration": registration, "event": event},
        )
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The registration of %(name)s was cancelled.")
            % {"name": registration.contact_person.name},
        )
    if _is_htmx(request):
        return render(
            request, "events/event_detail.html#registrations", _detail_context(request, event)
        )
    return redirect("events:event_detail", pk=event.pk)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(user=request.user, pk=pk)
    include_link = selectors.sees_online_link(user=request.user, event=event)
    return _ics_response(
        calendar.publication([event], include_links=include_link), f"uso-{event.pk}.ics"
    )


@login_required
@require_safe
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    material = selectors.material_for(user=request.user, pk=pk)
    return serve_private(material.file)


@login_required
@require_safe
def announcement_list(request: HttpRequest) -> HttpResponse:
    announcements = selectors.announcement_list_for(user=request.user)
    return render(request, "events/announcement_list.html", {"announcements": announcements})


@login_required
@require_safe
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = selectors.announcement_for(user=request.user, pk=pk)
    return render(request, "events/announcement_detail.html", {"announcement": announcement})


@login_required
@require_safe
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return serve_private(selectors.attachment_for(user=request.user, pk=pk).file)


@municipal_contact_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    municipality = municipality_for(user=request.user)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(municipality=municipality)
            messages.success(request, _("The calendar address no longer works."))
        else:
            services.calendar_feed_renew(municipality=municipality, actor=request.user)
            messages.success(request, _("A new calendar address was created."))
        return redirect("events:calendar_feed")
    feed = CalendarFeed.objects.visible_to(request.user).filter(revoked_at__isnull=True).first()
    return render(request, "events/calendar_feed.html", {"feed": feed})


@require_safe
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """Public by its secret token (calendar apps cannot log in); revoked tokens are 404."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("municipality"), token=token, revoked_at__isnull=True
    )
    municipality = feed.municipality
    with translation.override(municipality.preferred_language):
        events = selectors.feed_events(municipality=municipality)
        name = f"USO – {municipality.name}"
        content = calendar.publication(events, include_links=False, name=name)
    return _ics_response(content, "uso.ics")
