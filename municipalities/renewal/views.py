"""Portal pages of renewal: a contact's offer, its letter, the invoicing details; the staff's
pipeline of a season (page and XLSX)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from uso_portal import xlsx

from ..permissions import municipal_contact_required
from . import selectors, services
from .forms import InvoicingDetailsForm, OfferAnswerForm
from .models import Offer, OfferStatus
from .pdf import offer_context, render_offer_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ANSWER_FIELDS = {
    OfferStatus.INTERESTED: (),
    OfferStatus.DECISION_PENDING: ("board_meeting_date",),
    OfferStatus.DECLINED: ("declined_reason",),
    OfferStatus.JOINED: (
        "decision_reference",
        "decision_date",
        "business_id",
        "einvoice_address",
        "einvoice_operator",
        "cost_centre",
        "buyer_reference",
    ),
}


def _add_errors(form, error: ValidationError) -> None:
    """A service's errors on the form: on their field when the form has it, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _answer(offer: Offer, data: dict, user) -> Offer:
    answer = data["answer"]
    if answer == OfferStatus.INTERESTED:
        return services.offer_mark_interested(offer=offer, by=user)
    if answer == OfferStatus.DECISION_PENDING:
        return services.offer_mark_decision_pending(
            offer=offer, board_meeting_date=data["board_meeting_date"], by=user
        )
    if answer == OfferStatus.DECLINED:
        return services.offer_decline(offer=offer, reason=data["declined_reason"], by=user)
    return services.offer_join(
        offer=offer, by=user, **{name: data[name] for name in ANSWER_FIELDS[OfferStatus.JOINED]}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The offer of a season to the contact's municipality; its contact answers here. Staff who
    see the municipality read it as the contact does; with the right to change offers they record
    an answer given to them by e-mail or phone."""
    offer = selectors.offer_for(user=request.user, pk=pk)
    user = request.user
    may_answer = user.municipality_id is not None or user.has_perm("municipalities.change_offer")
    can_answer = may_answer and offer.is_open
    form = None
    if can_answer:
        form = OfferAnswerForm(request.POST or None, offer=offer)
        if request.method == "POST" and form.is_valid():
            try:
                _answer(offer, form.cleaned_data, request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Thank you, your answer was saved."))
                return redirect("municipalities:offer_detail", pk=offer.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("This offer cannot be answered here."))
    context = {**offer_context(offer), "form": form}
    return render(request, "municipalities/renewal/offer_detail.html", context)


@login_required
@require_safe
def offer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_for(user=request.user, pk=pk)
    response = HttpResponse(render_offer_letter(offer), content_type="application/pdf")
    filename = f"uso-{offer.season.slug}-{offer.municipality.code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@municipal_contact_required
@require_http_methods(["GET", "HEAD", "POST"])
def invoicing_details(request: HttpRequest) -> HttpResponse:
    """The contact confirms or corrects the invoicing details before the season's invoices."""
    season = selectors.invoicing_season_for(user=request.user)
    municipality = request.user.municipality
    membership = (
        municipality.memberships.filter(season=season).first() if season is not None else None
    )
    form = InvoicingDetailsForm(request.POST or None, instance=municipality, membership=membership)
    if season is not None and request.method == "POST" and form.is_valid():
        details = {name: form.cleaned_data[name] for name in form.fields}
        try:
            confirmation = services.invoicing_details_confirm(
                municipality=municipality, season=season, by=request.user, details=details
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if confirmation.changes:
                messages.success(request, _("Thank you, the corrected details were saved."))
            else:
                messages.success(request, _("Thank you, the details were confirmed."))
            return redirect("municipalities:invoicing_details")
    confirmations = (
        list(selectors.confirmation_list_for(user=request.user).filter(season=season)[:5])
        if season is not None
        else []
    )
    context = {"form": form, "season": season, "confirmations": confirmations}
    return render(request, "municipalities/renewal/invoicing_details.html", context)


def _pipeline(request: HttpRequest, slug: str):
    if request.user.municipality_id is not None:
        raise PermissionDenied
    season = selectors.season_by_slug(slug)
    return selectors.pipeline_for(user=request.user, season=season)


@login_required
@require_safe
def pipeline(request: HttpRequest, slug: str) -> HttpResponse:
    context = {"pipeline": _pipeline(request, slug)}
    return render(request, "municipalities/renewal/pipeline.html", context)


@login_required
@require_safe
def pipeline_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    result = _pipeline(request, slug)
    years = result.season.years
    header = [
        _("Code"),
        _("Municipality"),
        _("Member of the previous season"),
        _("Status"),
        _("Sent"),
        _("Answered"),
        _("Board meeting date"),
        _("Decision"),
        *[_("Fee %(year)d (EUR)") % {"year": year} for year in years],
    ]
    rows = []
    for offer in result.offers:
        fees = {fee.year: fee.annual_fee for fee in offer.fees.all()}
        rows.append(
            [
                offer.municipality.code,
                offer.municipality.name,
                _("yes") if offer.was_member else _("no"),
                offer.get_status_display(),
                formats.date_format(offer.sent_at, "SHORT_DATE_FORMAT"),
                formats.date_format(offer.answered_at, "SHORT_DATE_FORMAT")
                if offer.answered_at
                else "",
                offer.board_meeting_date,
                offer.decision_reference,
                *[fees.get(year) for year in years],
            ]
        )
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, result.season.slug, header, rows)
    response = HttpResponse(xlsx.to_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="offers-{result.season.slug}.xlsx"'
    return response
