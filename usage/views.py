"""The staff's usage matrix of a season: the page and its XLSX export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from municipalities.models import Season
from uso_portal import xlsx

from . import matrix

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERMISSION = "municipalities.view_usage_matrix"


def _matrix(request: HttpRequest, slug: str) -> matrix.UsageMatrix:
    if request.user.municipality_id is not None or not request.user.has_perm(PERMISSION):
        raise PermissionDenied(_("The usage matrix is for the network's staff."))
    season = get_object_or_404(Season, slug=slug)
    return matrix.usage_matrix(user=request.user, season=season)


@login_required
@require_safe
def usage_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    result = _matrix(request, slug)
    context = {
        "matrix": result,
        "inactive_months": matrix.INACTIVE_MONTHS,
        "late_months": matrix.LATE_MONTHS,
        "unplanned": matrix.UNPLANNED_WORKSHOPS,
    }
    return render(request, "usage/matrix.html", context)


@login_required
@require_safe
def usage_matrix_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    result = _matrix(request, slug)
    header = [_("Code"), _("Municipality"), _("Responsible consultant")]
    for column in result.columns:
        header += [
            _("%(kind)s: attended") % {"kind": column.label},
            _("%(kind)s: included") % {"kind": column.label},
        ]
    header += [
        _("Workshops included"),
        _("Workshops used"),
        _("Workshops planned"),
        _("Workshops left"),
        _("Last attendance"),
        _("Flags"),
    ]
    rows = []
    for row in result.rows:
        municipality = row.membership.municipality
        cells = []
        for cell in row.cells:
            cells += [cell.attended, cell.entitled]
        last = timezone.localtime(row.last_attended).date() if row.last_attended else None
        rows.append(
            [
                municipality.code,
                municipality.name,
                str(row.membership.responsible_consultant or ""),
                *cells,
                row.workshops.total,
                row.workshops.done,
                row.workshops.planned,
                row.workshops.left,
                last,
                "; ".join(row.flag_labels),
            ]
        )
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, result.season.name, header, rows)
    response = HttpResponse(xlsx.to_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="usage-{result.season.slug}.xlsx"'
    return response
