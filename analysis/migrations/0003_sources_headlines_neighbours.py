"""Sources as data with a priority (Statistics Finland's series before a city's own figure, both
kept), source and licence texts in each language, headline indicators, neighbouring
municipalities."""

import django.db.models.deletion
from django.db import migrations, models

import analysis.models

SOURCES = [
    # code, fi, sv, en, licence fi, sv, en, url, priority
    ("statistics-finland", "Tilastokeskus", "Statistikcentralen", "Statistics Finland",
     "CC BY 4.0", "CC BY 4.0", "CC BY 4.0", "https://stat.fi/", 10),
    ("municipality-own", "Kunnan oma julkaisu", "Kommunens egen publikation",
     "The municipality's own publication", "Julkinen tieto, lähde mainitaan",
     "Offentlig information, källan anges", "Public information, the source is cited", "", 50),
    # the default of IndicatorValue.data_source: created here, before the column is added, so
    # that Source.unspecified_pk only reads its id (see there)
    ("unspecified", "Lähde ei tiedossa", "Källan okänd", "Source not stated", "–", "–", "–", "",
     1000),
]  # fmt: skip


def sources(apps, schema_editor):
    Source = apps.get_model("analysis", "Source")
    for code, fi, sv, en, lfi, lsv, len_, url, priority in SOURCES:
        Source.objects.update_or_create(
            code=code,
            defaults={
                "name_fi": fi, "name_sv": sv, "name_en": en, "licence_fi": lfi,
                "licence_sv": lsv, "licence_en": len_, "url": url, "priority": priority,
            },
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0002_indicators"),
        ("municipalities", "0006_see_all_municipalities"),
    ]

    operations = [
        migrations.CreateModel(
            name="Source",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=80, unique=True, verbose_name="code")),
                ("name_fi", models.CharField(max_length=300, verbose_name="name in Finnish")),
                (
                    "name_sv",
                    models.CharField(blank=True, max_length=300, verbose_name="name in Swedish"),
                ),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=300, verbose_name="name in English"),
                ),
                ("licence_fi", models.CharField(max_length=300, verbose_name="licence in Finnish")),
                (
                    "licence_sv",
                    models.CharField(blank=True, max_length=300, verbose_name="licence in Swedish"),
                ),
                (
                    "licence_en",
                    models.CharField(blank=True, max_length=300, verbose_name="licence in English"),
                ),
                ("url", models.URLField(blank=True, max_length=500, verbose_name="address")),
                (
                    "priority",
                    models.PositiveSmallIntegerField(
                        default=100,
                        help_text="Lower wins when two sources give the same value.",
                        verbose_name="priority",
                    ),
                ),
            ],
            options={
                "verbose_name": "source",
                "verbose_name_plural": "sources",
                "ordering": ["priority", "code"],
            },
        ),
        migrations.RunPython(sources, migrations.RunPython.noop),
        migrations.RenameField("indicator", "source", "source_fi"),
        migrations.RenameField("indicator", "licence", "licence_fi"),
        migrations.AlterField(
            model_name="indicator",
            name="source_fi",
            field=models.TextField(verbose_name="source in Finnish"),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="licence_fi",
            field=models.CharField(max_length=200, verbose_name="licence in Finnish"),
        ),
        migrations.AddField(
            "indicator", "source_sv", models.TextField(blank=True, verbose_name="source in Swedish")
        ),
        migrations.AddField(
            "indicator", "source_en", models.TextField(blank=True, verbose_name="source in English")
        ),
        migrations.AddField(
            "indicator",
            "licence_sv",
            models.CharField(blank=True, max_length=200, verbose_name="licence in Swedish"),
        ),
        migrations.AddField(
            "indicator",
            "licence_en",
            models.CharField(blank=True, max_length=200, verbose_name="licence in English"),
        ),
        migrations.AddField(
            "indicator",
            "headline",
            models.PositiveSmallIntegerField(
                default=0,
                help_text="Place among its perspective's headline indicators in the summary; 0: none.",
                verbose_name="headline position",
            ),
        ),
        migrations.AddField(
            "indicator",
            "sv_unverified",
            models.BooleanField(
                default=False,
                help_text="The Swedish name is a translation, not the statistics' own.",
                verbose_name="Swedish name to be checked",
            ),
        ),
        migrations.RemoveConstraint(model_name="indicatorvalue", name="indicator_value_unique"),
        migrations.AddField(
            model_name="indicatorvalue",
            name="data_source",
            field=models.ForeignKey(
                default=analysis.models.Source.unspecified_pk,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="values",
                to="analysis.source",
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="source",
            field=models.CharField(blank=True, max_length=300, verbose_name="provenance"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="is_preferred",
            field=models.BooleanField(
                default=True,
                help_text="Not used: another source with a higher priority gives this year's value.",
                verbose_name="used",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                fields=("municipality", "indicator", "year", "data_source"),
                name="indicator_value_unique_per_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_preferred", True)),
                fields=("municipality", "indicator", "year"),
                name="indicator_value_one_preferred",
            ),
        ),
        migrations.CreateModel(
            name="Neighbour",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True,
                        help_text="False: listed one way only in the source.",
                        verbose_name="confirmed",
                    ),
                ),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="source")),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="neighbour_links",
                        to="municipalities.municipality",
                        verbose_name="municipality",
                    ),
                ),
                (
                    "neighbour",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="municipalities.municipality",
                        verbose_name="neighbour",
                    ),
                ),
            ],
            options={
                "verbose_name": "neighbouring municipality",
                "verbose_name_plural": "neighbouring municipalities",
                "ordering": ["municipality", "neighbour"],
            },
        ),
        migrations.AddConstraint(
            model_name="neighbour",
            constraint=models.UniqueConstraint(
                fields=("municipality", "neighbour"), name="neighbour_unique_pair"
            ),
        ),
        migrations.AddConstraint(
            model_name="neighbour",
            constraint=models.CheckConstraint(
                condition=models.Q(("municipality", models.F("neighbour")), _negated=True),
                name="neighbour_not_itself",
            ),
        ),
    ]
