"""Grant the feedback app's permissions to the staff roles.

Network staff edit each season's questions, send surveys and read every result; consultants read
the results of the surveys they are responsible for (and may name the consultant of an event's
survey); finance has no use for feedback. Invitations are read-only for network staff; answers
are never listed, only counted (`view_response` lets the rule say who sees which counts).
"""

from django.db import migrations

from municipalities.roles import ALL, VIEW, grant_permissions

GRANTS = {
    "network_staff": {
        "feedback.surveytemplate": ("view", "add", "change"),
        "feedback.question": ALL,
        "feedback.survey": ("view", "add", "change"),
        "feedback.invitation": VIEW,
        "feedback.response": VIEW,
    },
    "consultant": {
        "feedback.surveytemplate": VIEW,
        "feedback.question": VIEW,
        "feedback.survey": ("view", "change"),
        "feedback.response": VIEW,
    },
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_surveys"),
        ("municipalities", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
