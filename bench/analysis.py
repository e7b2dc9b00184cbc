"""Benchmark of the situational analysis report. Prints its figures; asserts nothing.

    python bench/analysis.py [--renders 10] [--code 980] [--database PATH]

Builds (or reuses, with --database) an SQLite database with the demo (`load_demo`) and every
bundled indicator value of all six perspectives, then prints the median milliseconds of
`reports.report_pdf_for` for one municipality, of a trivial one-page WeasyPrint document in the
same process, and their ratio (the issue's limit: 10), plus the analysis page's render time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def prepare(database: Path) -> None:
    """Migrate, load the demo and the bundled values (skipped when the database has them)."""
    from django.core.management import call_command

    from analysis.models import IndicatorValue

    call_command("migrate", "--no-input", verbosity=0)
    if IndicatorValue.objects.count() > 50_000:
        return
    started = time.perf_counter()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from tests.analysis import data

    codes = list(data.definitions())
    stored = data.load(codes)
    print(f"prepared {database}: {stored} values in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--code", default="980")
    parser.add_argument("--database", type=Path)
    options = parser.parse_args()
    database = options.database or Path(tempfile.gettempdir()) / "uso-bench-analysis.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uso_portal.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")  # plain static files, no manifest
    import django

    django.setup()
    prepare(database)

    from django.test import Client
    from weasyprint import HTML

    from analysis.models import IndicatorValue
    from analysis.reports import report_pdf_for
    from billing.pdf import uses_harfbuzz_subset
    from municipalities.models import Municipality, User

    municipality = Municipality.objects.get(code=options.code)
    report_pdf_for(municipality, None)  # warm up fonts, templates, translations
    HTML(string="<p>warm-up</p>").write_pdf()
    report = median_ms(lambda: report_pdf_for(municipality, None), options.renders)
    trivial = median_ms(
        lambda: HTML(string="<h1>Hello</h1><p>One page.</p>").write_pdf(), options.renders
    )
    size = len(report_pdf_for(municipality, None))
    print(f"HarfBuzz subsetting in use: {uses_harfbuzz_subset()}")
    print(f"indicator values in the database: {IndicatorValue.objects.count()}")
    print(f"report PDF of {municipality.name}: median {report:.1f} ms over {options.renders}"
          f" renders ({size // 1024} KiB)")  # fmt: skip
    print(f"trivial one-page PDF: median {trivial:.1f} ms")
    print(f"ratio report / trivial: {report / trivial:.2f} (limit 10)")

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.filter(is_superuser=True).first())
    url = f"/portal/analysis/{options.code}/"
    client.get(url)
    page = median_ms(lambda: client.get(url), max(3, options.renders // 2))
    print(f"analysis page {url}: median {page:.1f} ms ({len(client.get(url).content) // 1024} KiB)")


if __name__ == "__main__":
    main()
