"""Create the staff role groups and grant them the municipalities app's permissions."""

from django.db import migrations

from municipalities.roles import ALL, VIEW, grant_permissions

GRANTS = {
    "network_staff": {
        "municipalities.municipality": ALL,
        "municipalities.populationfigure": ALL,
        "municipalities.contactperson": ALL,
        "municipalities.season": ALL,
        "municipalities.seasontheme": ALL,
        "municipalities.membership": ALL,
        "municipalities.user": ("view", "add", "change"),
    },
    "consultant": {
        "municipalities.municipality": VIEW,
        "municipalities.populationfigure": VIEW,
        "municipalities.contactperson": VIEW,
        "municipalities.season": VIEW,
        "municipalities.seasontheme": VIEW,
        "municipalities.membership": VIEW,
    },
    "finance": {
        "municipalities.municipality": ("view", "change"),
        "municipalities.populationfigure": VIEW,
        "municipalities.contactperson": VIEW,
        "municipalities.season": VIEW,
        "municipalities.membership": ("view", "change"),
    },
}


def create_roles(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GRANTS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
