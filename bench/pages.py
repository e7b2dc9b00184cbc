"""Portal page latency under gunicorn (DEBUG off, PostgreSQL), as ratios to /healthz.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uso_bench python bench/pages.py [--requests 200]

For 30 members (load_demo) and then 309 (load_demo --all-municipalities) it starts gunicorn on
loopback, logs a municipal contact in, and requests the dashboard, the event list and the invoice
list; it prints the median and p95 latency of each and their ratio to /healthz in the same run,
then the growth from 30 to 309 members. The database named in DATABASE_URL is dropped and
recreated: use a dedicated one. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8791
PAGES = {
    "healthz": "/healthz",
    "dashboard": "/portal/",
    "events": "/portal/events/",
    "invoices": "/portal/invoices/",
}


def environment(directory: str) -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a dedicated PostgreSQL database (it is recreated)")
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "false",  # plain HTTP on loopback
        "MEDIA_ROOT": f"{directory}/media",
        "STATIC_ROOT": f"{directory}/static",
        "LOGIN_FAILURE_LIMIT": "1000",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def recreate_database(env: dict) -> None:
    import psycopg

    url = env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def opener_logged_in(email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{PORT}"
    page = opener.open(f"{base}/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": "uso-demo-2021"}
    ).encode()
    request = urllib.request.Request(f"{base}/", data=data, headers={"Referer": f"{base}/"})
    opener.open(request).read()
    return opener


def measure(opener, path: str, requests: int) -> tuple[float, float]:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        with opener.open(f"http://127.0.0.1:{PORT}{path}") as response:
            response.read()
            assert response.status == 200, (path, response.status)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def run(env: dict, requests: int, label: str) -> dict[str, float]:
    command = [str(ROOT / ".venv/bin/gunicorn"), "uso_portal.wsgi", "--workers", "3"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz").read()
                break
            except OSError:
                time.sleep(0.2)
        opener = opener_logged_in("contact.980@example.fi")
        for path in PAGES.values():
            measure(opener, path, 5)  # warm-up
        results = {}
        print(f"\n{label}")
        for name, path in PAGES.items():
            median, p95 = measure(opener, path, requests)
            results[name] = median
            print(f"  {name:<10} median {median:7.1f} ms  p95 {p95:7.1f} ms")
        for name in ("dashboard", "events", "invoices"):
            print(f"  {name:<10} {results[name] / results['healthz']:.1f} x /healthz (median)")
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = environment(directory)
        recreate_database(env)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "compilemessages", "--ignore=.venv", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "load_demo")
        small = run(env, options.requests, "30 members")
        manage(env, "load_demo", "--all-municipalities")
        large = run(env, options.requests, "309 members")
        print("\ngrowth from 30 to 309 members (median):")
        for name in ("dashboard", "events", "invoices"):
            print(f"  {name:<10} {large[name] / small[name]:.2f}")


if __name__ == "__main__":
    main()
