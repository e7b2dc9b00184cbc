"""Demo: the bundled real statistics (Statistics Finland and others, see data/SOURCES.md)."""

from pathlib import Path

from municipalities.demo import DemoContext, register_demo_step

from .importers import import_indicator_file

INDICATORS_CSV = Path(__file__).resolve().parent / "data" / "indicators.csv"


@register_demo_step(15, "analysis")
def load_analysis_demo(context: DemoContext) -> None:
    result = import_indicator_file(INDICATORS_CSV)
    context.say(
        f"Indicator values: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
    )
