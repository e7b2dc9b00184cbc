"""Grant the workshops app's permissions to the staff roles.

Network staff see and manage every municipality's workshops (`view_all_workshops`) and grant
extra workshops; consultants work on the workshops of their own municipalities (the selectors
limit them to those), so they get the model permissions without `view_all_workshops`; finance
has no business with workshops.
"""

from django.db import migrations

from municipalities.roles import ALL, VIEW, grant_permissions

GRANTS = {
    "network_staff": {
        "workshops.workshop": (*ALL, "view_all_workshops"),
        "workshops.workshoptopic": ALL,
        "workshops.quotagrant": ("view", "add"),
        "workshops.deliverable": ("view", "change"),
        "workshops.comment": VIEW,
        "workshops.workshoptransition": VIEW,
    },
    "consultant": {
        "workshops.workshop": ("view", "add", "change"),
        "workshops.workshoptopic": VIEW,
        "workshops.deliverable": VIEW,
        "workshops.comment": VIEW,
        "workshops.workshoptransition": VIEW,
    },
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0001_initial"),
        ("municipalities", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
