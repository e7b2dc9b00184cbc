"""Registrations are cancelled, never deleted (a delete freed the seat without promoting the
waitlist or telling anybody): the delete right goes, the admin offers "cancel" instead."""

from django.db import migrations

from municipalities.roles import grant_permissions, revoke_permissions

REVOKES = {"network_staff": {"events.registration": ("delete",)}}


def revoke(apps, schema_editor):
    revoke_permissions(apps, schema_editor, REVOKES)


def grant_back(apps, schema_editor):
    grant_permissions(apps, schema_editor, REVOKES)


class Migration(migrations.Migration):
    dependencies = [("events", "0003_history")]

    operations = [migrations.RunPython(revoke, grant_back)]
