"""Staff downloads (exports); the admin links to them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from municipalities.models import Season
from municipalities.scoping import may_view
from uso_portal import spreadsheets

from . import exports
from .models import Event, Registration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_registrations(request: HttpRequest) -> None:
    """Staff who may read registrations; what each of them sees is `Registration`'s rule."""
    if not may_view(request.user, Registration):
        raise PermissionDenied


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def participants_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _require_registrations(request)
    event = get_object_or_404(Event, pk=pk)
    if fmt == "csv":
        return _download(
            exports.participants_csv(event, user=request.user),
            spreadsheets.CSV_CONTENT_TYPE,
            f"participants-{pk}.csv",
        )
    content = exports.participants_xlsx([event], user=request.user)
    return _download(content, XLSX, f"participants-{pk}.xlsx")


@login_required
@require_safe
def attendance_report(request: HttpRequest, slug: str) -> HttpResponse:
    _require_registrations(request)
    season = get_object_or_404(Season, slug=slug)
    content = exports.attendance_xlsx(season, user=request.user)
    return _download(content, XLSX, f"attendance-{slug}.xlsx")
