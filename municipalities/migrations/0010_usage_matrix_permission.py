"""The staff's usage matrix of a season (usage app): network staff see every member's use,
consultants that of the municipalities they are responsible for (the membership's rule);
finance and municipal contacts do not see it."""

from django.db import migrations

from municipalities.roles import grant_permissions, revoke_permissions

GRANTS = {
    "network_staff": {"municipalities.membership": ("view_usage_matrix",)},
    "consultant": {"municipalities.membership": ("view_usage_matrix",)},
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0009_season_foresight_quota"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": ["-season__start_date", "municipality__name_fi"],
                "permissions": [
                    (
                        "view_usage_matrix",
                        "Can see the members' use of the season (usage matrix)",
                    )
                ],
                "verbose_name": "membership",
                "verbose_name_plural": "memberships",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
