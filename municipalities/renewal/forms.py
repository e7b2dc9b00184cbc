"""Forms of renewal: a contact's answer to an offer, the invoicing details."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Municipality
from ..validators import (
    validate_business_id,
    validate_operator_id,
    validate_ovt,
    validate_postal_code,
)
from .models import OfferStatus

ANSWERS = [
    (OfferStatus.INTERESTED.value, _("We are interested")),
    (OfferStatus.DECISION_PENDING.value, _("The board will decide")),
    (OfferStatus.JOINED.value, _("We decided to join")),
    (OfferStatus.DECLINED.value, _("We will not join")),
]


class OfferAnswerForm(forms.Form):
    """One form for every answer; the service says which fields the chosen answer needs."""

    answer = forms.ChoiceField(label=_("Answer"), choices=ANSWERS, widget=forms.RadioSelect)
    board_meeting_date = forms.DateField(
        label=_("Board meeting date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the board will decide (answer “The board will decide”)."),
    )
    decision_reference = forms.CharField(
        label=_("Decision"),
        max_length=200,
        required=False,
        help_text=_("E.g. KAUPHALL 14.12.2020 § 357."),
    )
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=70, required=False)
    buyer_reference = forms.CharField(
        label=_("Buyer reference"),
        max_length=70,
        required=False,
        help_text=_("Your reference for our invoices, if it is not the cost centre."),
    )
    business_id = forms.CharField(
        label=_("Business ID"), max_length=9, required=False, validators=[validate_business_id]
    )
    einvoice_address = forms.CharField(
        label=_("E-invoice address"), max_length=17, required=False, validators=[validate_ovt]
    )
    einvoice_operator = forms.CharField(
        label=_("E-invoice operator ID"),
        max_length=17,
        required=False,
        validators=[validate_operator_id],
    )
    declined_reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offer is not None and not self.is_bound:
            municipality = offer.municipality
            self.initial.update(
                business_id=municipality.business_id,
                einvoice_address=municipality.einvoice_address,
                einvoice_operator=municipality.einvoice_operator,
            )


class InvoicingDetailsForm(forms.ModelForm):
    buyer_reference = forms.CharField(
        label=_("Buyer reference (cost centre)"),
        max_length=70,
        required=False,
        help_text=_("Printed on the season's invoices, e.g. 1106."),
    )

    class Meta:
        model = Municipality
        fields = [
            "business_id",
            "einvoice_address",
            "einvoice_operator",
            "billing_street_address",
            "billing_postal_code",
            "billing_post_office",
        ]

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        if membership is None:
            del self.fields["buyer_reference"]
        elif not self.is_bound:
            self.initial["buyer_reference"] = membership.buyer_reference
        self.fields["billing_postal_code"].validators = [validate_postal_code]
        self.fields["business_id"].required = True

    def _post_clean(self):
        # The service saves (with history); the form only checks the fields themselves.
        pass
