"""Network staff see the outbox and may send a message again; consultants and finance see none
of it (the messages are other people's mail, with their personal data)."""

from django.db import migrations

from municipalities.roles import grant_permissions

GRANTS = {"network_staff": {"outbox.message": ("view", "resend_message")}}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("municipalities", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
