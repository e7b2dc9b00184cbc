"""Fetching a table from a PxWeb API (v1 and v2) with httpx: timeouts, retries with backoff,
the rate limit (429 with Retry-After; StatFin allows about 10 requests in 10 s), and the data
request built from the table's own metadata.

- v1 (`…/PxWeb/api/v1/fi/…/table.px`): GET gives the metadata (`variables`), POST a query of
  every value (content variables: only the codes the mapping knows) as json-stat2.
- v2 (`…/api/v2/tables/ID`, `…/metadata` or `…/data`): GET the metadata (JSON-stat2 without
  values), then POST the selection to `/tables/ID/data?outputFormat=json-stat2`.
A URL that already answers with a data set (either format) is read as it is.

Settings (all optional): STATFIN_TIMEOUT (s, 30), STATFIN_ATTEMPTS (4), STATFIN_BACKOFF (s, 1,
doubling), STATFIN_RETRY_AFTER_MAX (s, 60), STATFIN_MIN_INTERVAL (s between requests, 1.0),
STATFIN_MAX_BYTES (50 MB).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings

from .errors import TableRefused
from .formats import detect, jsonstat2_variables, load_json
from .mapping import Mapping

RETRY_STATUSES = {429, 500, 502, 503, 504}
# httpx logs every request at INFO on stderr; a refused import prints one line there, not more.
logging.getLogger("httpx").setLevel(logging.WARNING)
USER_AGENT = "uso-portal import_statfin (httpx)"


def setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class Client:
    def __init__(self) -> None:
        self.http = httpx.Client(
            timeout=httpx.Timeout(setting("STATFIN_TIMEOUT", 30)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
        )
        self.attempts = max(1, int(setting("STATFIN_ATTEMPTS", 4)))
        self.backoff = setting("STATFIN_BACKOFF", 1.0)
        self.retry_after_max = setting("STATFIN_RETRY_AFTER_MAX", 60)
        self.min_interval = setting("STATFIN_MIN_INTERVAL", 1.0)
        self.max_bytes = int(setting("STATFIN_MAX_BYTES", 50_000_000))
        self.last_request = 0.0
        self.requests = 0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def json(self, method: str, url: str, *, body: object = None) -> object:
        return load_json(self.request(method, url, body=body))

    def request(self, method: str, url: str, *, body: object = None) -> bytes:
        problem = ""
        for attempt in range(self.attempts):
            wait = self.backoff * (2**attempt)
            self._throttle()
            try:
                response = self.http.request(method, url, json=body)
            except httpx.TimeoutException:
                problem = f"no answer within {setting('STATFIN_TIMEOUT', 30):g} s"
            except httpx.HTTPError as error:
                problem = f"the connection failed ({type(error).__name__})"
            else:
                if response.status_code == 200:
                    if len(response.content) > self.max_bytes:
                        raise TableRefused(f"the response of {url} is larger than allowed")
                    return response.content
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    raise TableRefused(f"{_short(url)} answered {problem}")
                if response.status_code == 429:
                    wait = self._retry_after(response, wait)
            if attempt + 1 < self.attempts:
                time.sleep(wait)
        raise TableRefused(f"{_short(url)} failed after {self.attempts} attempts: {problem}")

    def _throttle(self) -> None:
        pause = self.last_request + self.min_interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self.last_request = time.monotonic()
        self.requests += 1

    def _retry_after(self, response: httpx.Response, default: float) -> float:
        header = response.headers.get("Retry-After", "").strip()
        seconds = default
        if header.isdigit():
            seconds = float(header)
        elif header:
            try:
                seconds = parsedate_to_datetime(header).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = default
        return min(max(seconds, 0.0), self.retry_after_max)


def fetch_table(url: str, mapping: Mapping | None) -> object:
    """The decoded data set of the table at `url` (JSON-stat2 or PxWeb json)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise TableRefused("the table address must be an http(s) URL (or use --file PATH)")
    with Client() as client:
        v2 = "/api/v2/" in url
        given_data = urlsplit(url).path.rstrip("/").endswith("/data")
        document = client.json("GET", _v2_metadata_url(url) if v2 and not given_data else url)
        kind = detect(document)
        if kind in ("json-stat2", "px-json"):
            return document
        if kind == "v1-metadata":
            query = _v1_query(document, mapping)
            return client.json("POST", url, body=query)
        # v2 metadata: JSON-stat2 without values
        selection = _selection(
            [(v.code, v.values, _is_time_or_geo(document, v.code)) for v in _v2_vars(document)],
            mapping,
        )
        body = {
            "selection": [{"variableCode": code, "valueCodes": codes} for code, codes in selection]
        }
        return client.json("POST", _v2_data_url(url), body=body)


def _v1_query(metadata: dict, mapping: Mapping | None) -> dict:
    try:
        variables = [
            (str(v["code"]), [str(code) for code in v["values"]], bool(v.get("time")))
            for v in metadata["variables"]
        ]
    except (KeyError, TypeError) as error:
        raise TableRefused("the table's v1 metadata has no readable variables") from error
    selection = _selection(variables, mapping)
    return {
        "query": [
            {"code": code, "selection": {"filter": "item", "values": codes}}
            for code, codes in selection
        ],
        "response": {"format": "json-stat2"},
    }


def _selection(
    variables: list[tuple[str, list[str], bool]], mapping: Mapping | None
) -> list[tuple[str, list[str]]]:
    """Every value of every variable, except that a variable holding content codes the mapping
    knows asks only for those (a table's other codes are not asked for, so not refused)."""
    known = set()
    if mapping is not None:
        for key in [*mapping.contents, *mapping.ignore]:
            known.update(key.split("|"))
    selection = []
    for code, values, fixed in variables:
        wanted = [value for value in values if value in known] if not fixed else []
        selection.append((code, wanted or values))
    return selection


def _v2_vars(document: dict):
    try:
        return jsonstat2_variables(document)
    except (KeyError, TypeError, AttributeError) as error:
        raise TableRefused("the table's v2 metadata has no readable dimensions") from error


def _is_time_or_geo(document: dict, code: str) -> bool:
    roles = document.get("role") or {}
    return any(code in (roles.get(role) or []) for role in ("time", "geo"))


def _v2_metadata_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    for suffix in ("/metadata", "/data"):
        path = path.removesuffix(suffix)
    return urlunsplit(parts._replace(path=f"{path}/metadata"))


def _v2_data_url(url: str) -> str:
    parts = urlsplit(_v2_metadata_url(url))
    path = parts.path.removesuffix("/metadata") + "/data"
    query = "&".join(
        item
        for item in parts.query.split("&")
        if item and not item.lower().startswith("outputformat=")
    )
    query = f"{query}&outputFormat=json-stat2" if query else "outputFormat=json-stat2"
    return urlunsplit(parts._replace(path=path, query=query))


def _short(text: str) -> str:
    return text if len(text) <= 120 else f"{text[:119]}…"
