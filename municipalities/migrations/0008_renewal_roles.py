"""Renewal: network staff send offers and record answers; consultants follow their
municipalities' offers; finance reads the offers' fees and the invoicing-details confirmations."""

from django.db import migrations

from municipalities.roles import VIEW, grant_permissions, revoke_permissions

GRANTS = {
    "network_staff": {
        "municipalities.offer": ("view", "add", "change"),
        "municipalities.offerfee": VIEW,
        "municipalities.invoicingdetailsconfirmation": VIEW,
    },
    "consultant": {
        "municipalities.offer": VIEW,
        "municipalities.offerfee": VIEW,
    },
    "finance": {
        "municipalities.offer": VIEW,
        "municipalities.offerfee": VIEW,
        "municipalities.invoicingdetailsconfirmation": VIEW,
    },
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0007_offers_and_invoicing_confirmations"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
