"""The indicator definitions as data (data/indicator_definitions.csv: 76 indicators, the 19 of
migration 0002 among them, with texts in each language, unit codes and headline indicators), THL
Sotkanet as a source of its own, and the staff's rights in the analysis admin."""

from django.db import migrations

from analysis.definitions import read_definitions, store_definitions
from analysis.sources import ensure_sources
from municipalities.roles import ALL, VIEW, grant_permissions

GRANTS = {
    "network_staff": {
        "analysis.source": ALL,  # a source with values cannot be deleted (PROTECT)
        "analysis.indicator": ("view", "add", "change"),
        "analysis.indicatorvalue": ("view", "change", "delete"),  # through the service
        "analysis.neighbour": ALL,
    },
    "consultant": {"analysis.source": VIEW, "analysis.neighbour": VIEW},
}


def forwards(apps, schema_editor):
    ensure_sources(apps.get_model("analysis", "Source"))
    store_definitions(apps.get_model("analysis", "Indicator"), read_definitions(), overwrite=True)
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("analysis", "0003_sources_headlines_neighbours")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
