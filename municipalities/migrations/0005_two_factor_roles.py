"""Network staff may see and remove staff members' second-factor devices.

Someone who lost both phone and backup codes is helped by removing their authenticator; they set
up a new one at their next login. Nobody but superusers may add or change devices in the admin:
enrolment happens only through the person's own QR-code flow.
"""

from django.db import migrations

from municipalities.roles import grant_permissions

GRANTS = {
    "network_staff": {
        "otp_totp.totpdevice": ("view", "delete"),
        "otp_static.staticdevice": ("view", "delete"),
    },
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0004_history"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
