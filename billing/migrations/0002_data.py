"""Dated VAT rates, the default invoice series, and the staff roles' billing permissions.

Finance issues and exports invoices and approves travel costs; network staff do all of that and
edit fee schedules and seller details; consultants record travel costs and see invoices of their
municipalities in the portal only.
"""

import datetime
from decimal import Decimal

from django.db import migrations

from municipalities.roles import ALL, VIEW, grant_permissions

VAT_RATES = [
    (datetime.date(1994, 6, 1), Decimal("22")),
    (datetime.date(2010, 7, 1), Decimal("23")),
    (datetime.date(2013, 1, 1), Decimal("24")),
    (datetime.date(2024, 9, 1), Decimal("25.5")),
]

GRANTS = {
    "network_staff": {
        "billing.sellersettings": ("view", "change"),
        "billing.vatrate": VIEW,
        "billing.feeschedule": ALL,
        "billing.feetier": ALL,
        "billing.invoiceseries": VIEW,
        "billing.travelcost": ALL,
        "billing.invoice": ALL,
        "billing.invoiceline": ("view", "add", "change", "delete"),
        "billing.billingbatch": VIEW,
    },
    "finance": {
        "billing.sellersettings": ("view", "change"),
        "billing.vatrate": ("view", "add", "change"),
        "billing.feeschedule": ALL,
        "billing.feetier": ALL,
        "billing.invoiceseries": VIEW,
        "billing.travelcost": ("view", "change"),
        "billing.invoice": ALL,
        "billing.invoiceline": ("view", "add", "change", "delete"),
        "billing.billingbatch": VIEW,
    },
    "consultant": {
        "billing.travelcost": ("view", "add"),
    },
}


def forwards(apps, schema_editor):
    VatRate = apps.get_model("billing", "VatRate")
    for valid_from, rate in VAT_RATES:
        VatRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": rate})
    apps.get_model("billing", "InvoiceSeries").objects.get_or_create(
        code="uso", defaults={"prefix": "1", "width": 6, "next_number": 1}
    )
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("municipalities", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
