"""Staff roles: Django groups with explicit permissions, created and extended by migrations.

Group names are the stable role values below. Each app's migrations grant its own models'
permissions to the roles with `grant_permissions`, so the rights of a role are reviewable in one
place per app and nothing is granted implicitly. A municipal contact person has no group: they are
users linked to a municipality (`User.municipality`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    NETWORK_STAFF = "network_staff", _("Network staff (Kuntaliitto)")
    CONSULTANT = "consultant", _("Consultant (FCG)")
    FINANCE = "finance", _("Finance")


VIEW = ("view",)
ALL = ("view", "add", "change", "delete")


def codename(action: str, model_name: str) -> str:
    """`view` → `view_<model>`; a custom permission is given by its full codename."""
    return action if "_" in action else f"{action}_{model_name}"


def grant_permissions(apps, schema_editor, grants: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Grant permissions to role groups inside a migration.

    `grants` maps a role to `{"app_label.model": actions}`, an action being `view`, `add`,
    `change`, `delete` or a custom permission's full codename; the permissions are created first
    (Django normally creates them only after all migrations ran).
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models_actions in grants.items():
        group, _created = Group.objects.get_or_create(name=role)
        for model_label, actions in models_actions.items():
            app_label, model_name = model_label.split(".")
            permissions = Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[codename(action, model_name) for action in actions],
            )
            missing = len(actions) - permissions.count()
            if missing:
                raise RuntimeError(f"{missing} permission(s) of {model_label} do not exist")
            group.permissions.add(*permissions)


def revoke_permissions(apps, schema_editor, revokes: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Take permissions back from role groups inside a migration (the shape of `grant_permissions`);
    for rights that the portal no longer offers, so that a role's permissions say what it can do."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models_actions in revokes.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for model_label, actions in models_actions.items():
            app_label, model_name = model_label.split(".")
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    codename__in=[codename(action, model_name) for action in actions],
                )
            )
