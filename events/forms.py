from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from municipalities.models import ContactRole

PARTICIPANT_ROLES = [
    (ContactRole.ELECTED_TRUSTEE, ContactRole.ELECTED_TRUSTEE.label),
    (ContactRole.OFFICIAL, ContactRole.OFFICIAL.label),
    (ContactRole.OTHER, ContactRole.OTHER.label),
]


class RegistrationForm(forms.Form):
    """Register an existing person of the municipality, or add a new one."""

    contact_person = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Person"),
        empty_label=_("— a new person (fill in below) —"),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=PARTICIPANT_ROLES, initial=ContactRole.OFFICIAL, required=False
    )

    def __init__(self, *args, contacts: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = contacts

    def clean(self):
        data = super().clean()
        if data.get("contact_person"):
            return data
        missing = {
            "name": _("Give the new person's name, or pick an existing person."),
            "email": _("The new person's e-mail address is needed for the invitation."),
        }
        for field, message in missing.items():
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        if not data.get("role"):
            data["role"] = ContactRole.OFFICIAL
        return data
