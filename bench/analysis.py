"""Benchmark of the situational analysis report. Prints its figures; asserts nothing.

    python bench/analysis.py [--renders 10] [--code 980] [--database PATH]

Builds (or reuses, with --database) an SQLite database with the demo (`load_demo`, which loads
every bundled indicator value of all six perspectives through the production importers), then
prints the median milliseconds of `reports.report_pdf_for` for one municipality, of a trivial
one-page WeasyPrint document in the same process, and their ratio (the issue's limit: 10), plus
the analysis page's render time for the municipality's contact.

The trivial document is rendered as WeasyPrint comes (`HTML(string=...).write_pdf()`), as the
limit is defined; its default URL fetcher builds an SSL context for every document (about 33 ms
here, most of the trivial page's time), which the portal's renderers avoid by reusing one
fetcher and one font configuration per process. The script also prints the trivial page rendered
that way, and the report's ratio to it, so that neither figure hides the other.

Both the wall-clock and the CPU time (`time.process_time`) of this process are measured: on a
shared machine the wall clock counts the other processes too, the CPU time does not, so its ratio
is the one to compare between runs.
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


def median_ms(function, repeat: int, clock=time.perf_counter) -> float:
    timings = []
    for _ in range(repeat):
        started = clock()
        function()
        timings.append((clock() - started) * 1000)
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
    stored = IndicatorValue.objects.count()
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
    from billing.pdf import shared_url_fetcher, uses_harfbuzz_subset
    from municipalities.models import Municipality, User
    from uso_portal.pdf import shared_font_config

    municipality = Municipality.objects.get(code=options.code)
    report_pdf_for(municipality, None)  # warm up fonts, templates, translations
    HTML(string="<p>warm-up</p>").write_pdf()

    def trivial_pdf():
        return HTML(string="<h1>Hello</h1><p>One page.</p>").write_pdf()

    def bare_trivial_pdf():  # with the portal's reused URL fetcher and font configuration
        document = HTML(string="<h1>Hello</h1><p>One page.</p>", url_fetcher=shared_url_fetcher())
        return document.write_pdf(font_config=shared_font_config())

    def report_pdf():
        return report_pdf_for(municipality, None)

    report = median_ms(report_pdf, options.renders)
    trivial = median_ms(trivial_pdf, options.renders)
    report_cpu = median_ms(report_pdf, options.renders, time.process_time)
    trivial_cpu = median_ms(trivial_pdf, options.renders, time.process_time)
    bare_cpu = median_ms(bare_trivial_pdf, options.renders, time.process_time)
    size = len(report_pdf())
    print(f"HarfBuzz subsetting in use: {uses_harfbuzz_subset()}")
    print(f"indicator values in the database: {IndicatorValue.objects.count()}")
    print(f"report PDF of {municipality.name}: median {report:.1f} ms over {options.renders}"
          f" renders ({size // 1024} KiB)")  # fmt: skip
    print(f"trivial one-page PDF: median {trivial:.1f} ms")
    print(f"ratio report / trivial (wall clock): {report / trivial:.2f} (limit 10)")
    print(f"CPU time: report {report_cpu:.1f} ms, trivial {trivial_cpu:.1f} ms")
    print(f"ratio report / trivial (CPU time): {report_cpu / trivial_cpu:.2f} (limit 10)")
    print(
        f"for reference: the trivial page without WeasyPrint's per-document set-up (the portal's"
        f" reused URL fetcher and fonts) takes {bare_cpu:.1f} ms CPU; the report is"
        f" {report_cpu / bare_cpu:.1f} × that"
    )

    client = Client(HTTP_HOST="localhost")
    contact = User.objects.filter(contact_person__municipality=municipality).order_by("pk").first()
    client.force_login(contact)
    url = f"/portal/analysis/{options.code}/"
    response = client.get(url)
    if response.status_code != 200:
        print(f"analysis page {url}: HTTP {response.status_code} for {contact}")
        return
    page = median_ms(lambda: client.get(url), max(3, options.renders // 2))
    print(f"analysis page {url} as {contact.email}: median {page:.1f} ms"
          f" ({len(response.content) // 1024} KiB)")  # fmt: skip


if __name__ == "__main__":
    main()
