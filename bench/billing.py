"""Benchmark of invoice documents and batch issuing. Prints its figures; asserts nothing.

    python bench/billing.py [--renders 20] [--skip-batch]

1. Median milliseconds to render one invoice PDF (the spec's use-case invoice, with the bank
   barcode) and its ratio to WeasyPrint rendering a trivial one-page document in the same process.
2. Seconds to draft and issue the invoices of all 309 municipalities (`load_demo
   --all-municipalities`, then `billing_run` and `billing_issue` for 2022) on a fresh database:
   SQLite in a temporary directory unless DATABASE_URL is set (use a dedicated PostgreSQL
   database: it is migrated and filled).
"""

import argparse
import os
import statistics
import subprocess
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


def render_benchmark(repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uso_portal.settings")
    import django

    django.setup()
    from weasyprint import HTML

    from billing.pdf import render_invoice_pdf, uses_harfbuzz_subset
    from tests.billing.documents import usecase_document

    document = usecase_document()
    render_invoice_pdf(document)  # warm up fonts and templates
    HTML(string="<p>warm-up</p>").write_pdf()
    invoice = median_ms(lambda: render_invoice_pdf(document), repeat)
    trivial = median_ms(lambda: HTML(string="<h1>Hello</h1><p>One page.</p>").write_pdf(), repeat)
    print(f"HarfBuzz subsetting in use: {uses_harfbuzz_subset()}")
    print(f"invoice PDF: median {invoice:.1f} ms over {repeat} renders")
    print(f"trivial one-page PDF: median {trivial:.1f} ms")
    print(f"ratio invoice / trivial: {invoice / trivial:.2f}")


def manage(*args: str, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def batch_benchmark() -> None:
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "uso_portal.settings",
            "MEDIA_ROOT": f"{directory}/media",
        }
        env.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
        print(f"database: {env['DATABASE_URL'].split('@')[-1]}")
        manage("migrate", "--no-input", "-v", "0", env=env)
        demo = manage("load_demo", "--all-municipalities", env=env)
        print(f"load_demo --all-municipalities (incl. issuing 2021 for 309): {demo:.1f} s")
        run = manage("billing_run", "--season", "2021-2022", "--year", "2022", env=env)
        issue = manage("billing_issue", "--season", "2021-2022", "--year", "2022", env=env)
        print(f"billing_run 2022 (309 drafts): {run:.1f} s")
        cores = os.cpu_count()
        print(f"billing_issue 2022 (309 invoices, PDF + Finvoice, {cores} cores): {issue:.1f} s")
        print(f"issue all 309 municipalities: {run + issue:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--skip-batch", action="store_true")
    options = parser.parse_args()
    render_benchmark(options.renders)
    if not options.skip_batch:
        batch_benchmark()


if __name__ == "__main__":
    main()
