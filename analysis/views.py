"""The situational analysis in the portal, the network table and the PDF report."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from municipalities.models import Season
from uso_portal import xlsx
from uso_portal.params import query_param

from . import overview as overview_views
from . import reports, selectors
from .models import Indicator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _peer_group(request: HttpRequest) -> str:
    value = request.GET.get("peers", "")
    return value if value in selectors.PeerGroup.values else selectors.DEFAULT_PEER_GROUP


@login_required
@require_safe
def analysis_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.municipality_id is not None:
        return redirect("analysis:analysis_detail", code=user.municipality.code)
    if not selectors.is_analyst(user):
        raise PermissionDenied
    season = Season.objects.current()
    memberships = selectors.member_list_for(user=user, season=season)
    return render(request, "analysis/home.html", {"season": season, "memberships": memberships})


def _analysis(request: HttpRequest, code: str, *, headlines_only: bool = False):
    municipality = selectors.municipality_for(user=request.user, code=code)
    season = selectors.season_for(municipality=municipality, slug=request.GET.get("season"))
    edits = selectors.PeerEdits.parse(request.GET.getlist("add"), request.GET.getlist("drop"))
    return selectors.analysis_for(
        municipality=municipality,
        season=season,
        peer_group=_peer_group(request),
        edits=edits,
        headlines_only=headlines_only,
    )


def _state(context) -> str:
    """The query string that reproduces the comparison (for the PDF link and the forms)."""
    params = [("peers", context.peer_group)]
    if context.season:
        params.append(("season", context.season.slug))
    params += [("add", m.code) for m in context.peer_list.added]
    params += [("drop", m.code) for m in context.peer_list.removed]
    return urlencode(params)


@login_required
@require_safe
def analysis_detail(request: HttpRequest, code: str) -> HttpResponse:
    context, groups = _analysis(request, code)
    page = reports.report_context(context, groups)
    page.update({"peer_groups": selectors.PeerGroup.choices, "state": _state(context)})
    return render(request, "analysis/detail.html", page)


@login_required
@require_safe
def analysis_pdf(request: HttpRequest, code: str) -> HttpResponse:
    context, groups = _analysis(request, code, headlines_only=True)
    pdf = reports.render_report_pdf(
        context=context, groups=groups, language=context.municipality.preferred_language
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tilanneanalyysi-{code}.pdf"'
    return response


YEAR = forms.IntegerField(min_value=1900, max_value=2100)
SORT = forms.ChoiceField(choices=[(key, key) for key in ("name", "value", "-value")])


def _table(request: HttpRequest):
    if not selectors.is_analyst(request.user):
        raise PermissionDenied
    season = (
        get_object_or_404(Season, slug=request.GET.get("season"))
        if request.GET.get("season")
        else Season.objects.current()
    )
    indicators = list(Indicator.objects.all())
    code = request.GET.get("indicator") or "municipal_election_2021_turnout_pct"
    indicator = next(
        (item for item in indicators if item.code == code), indicators[0] if indicators else None
    )
    if season is None or indicator is None:
        raise PermissionDenied
    years = sorted(set(indicator.values.values_list("year", flat=True))) or [season.start_date.year]
    year = query_param(request, "year", YEAR, default=years[-1])
    sort = query_param(request, "sort", SORT, default="name")
    rows = selectors.network_table(
        user=request.user, season=season, indicator=indicator, year=year, sort=sort
    )
    return season, indicators, indicator, years, year, sort, rows


@login_required
@require_safe
def network_table(request: HttpRequest) -> HttpResponse:
    season, indicators, indicator, years, year, sort, rows = _table(request)
    coverage = sum(1 for row in rows if row["value"] is not None)
    for row in rows:
        row["display"] = reports.number(row["value"], indicator.decimals)
    context = {
        "season": season,
        "seasons": Season.objects.order_by("-start_date"),
        "indicators": indicators,
        "indicator": indicator,
        "years": years,
        "year": year,
        "sort": sort,
        "rows": rows,
        "coverage": coverage,
        "query": request.GET.urlencode(),
    }
    return render(request, "analysis/network_table.html", context)


@login_required
@require_safe
def network_table_xlsx(request: HttpRequest) -> HttpResponse:
    season, _indicators, indicator, _years, year, _sort, rows = _table(request)
    header = [
        _("Code"),
        _("Municipality"),
        f"{indicator.name} {year} ({indicator.unit_label})",
        _("Rank"),
    ]
    data = [
        [row["municipality"].code, row["municipality"].name, row["value"], row["rank"]]
        for row in rows
    ]
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, indicator.code, header, data)
    sheet = workbook.worksheets[0]
    xlsx.append_row(sheet, [])
    xlsx.append_row(sheet, [_("Source"), f"{indicator.source} ({indicator.licence})"])
    response = HttpResponse(xlsx.to_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{indicator.code}-{year}-{season.slug}.xlsx"'
    )
    return response


OVERVIEW_SORT = forms.CharField(max_length=90)


def _overview(request: HttpRequest):
    if not selectors.is_analyst(request.user):
        raise PermissionDenied
    slug = (request.GET.get("season") or "")[:100]
    seasons = Season.objects.order_by("-start_date")
    season = seasons.filter(slug=slug).first() if slug else None
    season = season or Season.objects.current()
    if season is None:
        raise PermissionDenied
    sort = query_param(request, "sort", OVERVIEW_SORT, default="name")
    return selectors.network_overview(user=request.user, season=season, sort=sort)


@login_required
@require_safe
def network_overview(request: HttpRequest) -> HttpResponse:
    overview = _overview(request)
    return render(
        request,
        "analysis/network_overview.html",
        {
            "overview": overview,
            "season": overview.season,
            "seasons": Season.objects.order_by("-start_date"),
            "columns": overview_views.overview_columns(overview),
            "rows": overview_views.overview_rows(overview),
        },
    )


@login_required
@require_safe
def network_overview_xlsx(request: HttpRequest) -> HttpResponse:
    overview = _overview(request)
    workbook = overview_views.overview_workbook(overview)
    response = HttpResponse(xlsx.to_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="network-{overview.season.slug}.xlsx"'
    return response
