"""Demo: the bundled real statistics (Statistics Finland and others, see data/SOURCES.md): every
indicator value file and the neighbouring municipalities."""

import time
from pathlib import Path

from municipalities.demo import DemoContext, register_demo_step

from .importers import import_indicator_files
from .neighbours import import_neighbours

DATA = Path(__file__).resolve().parent / "data"
INDICATORS_CSV = DATA / "indicators.csv"
INDICATOR_FILES = [
    DATA / "indicators_2006_2017.csv.gz",
    DATA / "indicators_2018_2021.csv",
    INDICATORS_CSV,
]


@register_demo_step(15, "analysis")
def load_analysis_demo(context: DemoContext) -> None:
    started = time.monotonic()
    result = import_indicator_files(INDICATOR_FILES)
    neighbours = import_neighbours()
    context.say(
        f"Indicator values: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged. Neighbouring municipalities: {neighbours.created} "
        f"created, {neighbours.updated} updated, {neighbours.unchanged} unchanged "
        f"({time.monotonic() - started:.1f} s)."
    )
