"""The municipality's invoicing details, confirmed or corrected by its contact (with history)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import (
    Membership,
    Municipality,
    Season,
    User,
)
from ...validators import normalize_business_id
from ..models import (
    InvoicingDetailsConfirmation,
)

# The municipality's invoicing details a contact confirms, and the membership's one.
INVOICING_FIELDS = (
    "business_id",
    "einvoice_address",
    "einvoice_operator",
    "billing_street_address",
    "billing_postal_code",
    "billing_post_office",
)
MEMBERSHIP_INVOICING_FIELDS = ("buyer_reference",)


# --- Invoicing details ----------------------------------------------------------------------


def _clean_details(details: dict[str, str]) -> dict[str, str]:
    cleaned = {name: str(value or "").strip() for name, value in details.items()}
    if cleaned.get("business_id"):
        try:
            cleaned["business_id"] = normalize_business_id(cleaned["business_id"])
        except ValidationError as error:
            raise ValidationError({"business_id": error}) from error
    if cleaned.get("einvoice_operator"):
        cleaned["einvoice_operator"] = cleaned["einvoice_operator"].upper()
    return cleaned


@transaction.atomic
def invoicing_details_confirm(
    *,
    municipality: Municipality,
    season: Season,
    by: User | None,
    details: dict[str, str],
    now=None,
) -> InvoicingDetailsConfirmation:
    """The contact confirms the municipality's invoicing details for a season, correcting what
    is wrong: the municipality (and the season's membership, for the buyer reference) is saved
    with history, and the confirmation keeps what changed, old → new, for finance."""
    if by is None:
        raise ValueError("invoicing details are confirmed by a person")
    unknown = set(details) - set(INVOICING_FIELDS) - set(MEMBERSHIP_INVOICING_FIELDS)
    if unknown:
        raise ValueError(f"not invoicing details: {sorted(unknown)}")
    details = _clean_details(details)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    changes: dict[str, list[str]] = {}
    for name in INVOICING_FIELDS:
        if name in details and getattr(municipality, name) != details[name]:
            changes[name] = [getattr(municipality, name), details[name]]
            setattr(municipality, name, details[name])
    if changes:
        if "business_id" in changes:
            municipality.business_id_verified = False
            municipality.business_id_source = _("confirmed by the municipality in the portal")
        municipality._history_user = by
        municipality.full_clean()
        municipality.save()
    membership = Membership.objects.filter(municipality=municipality, season=season).first()
    if membership is not None:
        for name in MEMBERSHIP_INVOICING_FIELDS:
            if name in details and getattr(membership, name) != details[name]:
                changes[name] = [getattr(membership, name), details[name]]
                setattr(membership, name, details[name])
        if any(name in changes for name in MEMBERSHIP_INVOICING_FIELDS):
            membership._history_user = by
            membership.full_clean()
            membership.save()
    confirmation = InvoicingDetailsConfirmation(
        municipality=municipality,
        season=season,
        confirmed_by=by,
        confirmed_at=now or timezone.now(),
        changes=changes,
    )
    confirmation.full_clean()
    confirmation.save()
    return confirmation
