from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Comment, Deliverable, Workshop, WorkshopAudience, WorkshopTopic

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def datetime_field(label):
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_LOCAL, "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


class WorkshopForm(forms.ModelForm):
    """The proposal fields; with `schedule=True` also the time and place (consultant, staff)."""

    audiences = forms.MultipleChoiceField(
        label=_("Audiences"), choices=WorkshopAudience.choices, widget=forms.CheckboxSelectMultiple
    )
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))

    class Meta:
        model = Workshop
        fields = [
            "title",
            "kind",
            "topic",
            "topic_other",
            "audiences",
            "goals",
            "description",
            "expected_participants",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
        ]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, season, schedule: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = WorkshopTopic.objects.filter(season=season)
        self.fields["topic"].empty_label = _("— another topic (describe below) —")
        if not schedule:
            for name in ("starts_at", "ends_at", "place", "online_link", "expected_participants"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if not data.get("topic") and not data.get("topic_other"):
            self.add_error("topic_other", _("Choose a topic or describe another one."))
        return data


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScheduleForm(TransitionForm):
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False)


class DeliverableForm(forms.ModelForm):
    class Meta:
        model = Deliverable
        fields = ["kind", "title", "file"]


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
