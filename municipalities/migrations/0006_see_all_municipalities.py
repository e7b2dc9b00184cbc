"""Network staff and finance see every municipality's records; consultants only those of the
municipalities they are responsible for (municipalities/scoping.py)."""

from django.db import migrations

from municipalities.roles import grant_permissions

GRANTS = {
    "network_staff": {"municipalities.municipality": ("view_all_municipalities",)},
    "finance": {"municipalities.municipality": ("view_all_municipalities",)},
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0005_two_factor_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="municipality",
            options={
                "ordering": ["name_fi"],
                "permissions": [
                    ("view_all_municipalities", "Can see the records of every municipality")
                ],
                "verbose_name": "municipality",
                "verbose_name_plural": "municipalities",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
