"""Staff downloads (exports); the admin links to them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from municipalities.models import Season

from . import exports
from .models import Event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest, permission: str) -> None:
    user = request.user
    if user.municipality_id is not None or not user.has_perm(permission):
        raise PermissionDenied


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def participants_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _require(request, "events.view_registration")
    event = get_object_or_404(Event, pk=pk)
    if fmt == "csv":
        return _download(
            exports.participants_csv(event), "text/csv; charset=utf-8", f"participants-{pk}.csv"
        )
    return _download(exports.participants_xlsx([event]), XLSX, f"participants-{pk}.xlsx")


@login_required
@require_safe
def attendance_report(request: HttpRequest, slug: str) -> HttpResponse:
    _require(request, "events.view_registration")
    season = get_object_or_404(Season, slug=slug)
    return _download(exports.attendance_xlsx(season), XLSX, f"attendance-{slug}.xlsx")
