from django import forms

from .models import ContactPerson


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "title", "role", "email", "phone", "is_active"]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The municipality is not a form field; set it before validation so the unique
        # e-mail-per-municipality constraint is checked with a clear message.
        if municipality is not None:
            self.instance.municipality = municipality

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()
