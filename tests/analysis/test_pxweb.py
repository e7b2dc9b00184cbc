"""`import_statfin`: the recorded PxWeb responses (v1 JSON-stat2, the 2026 API's json) through
--file and through HTTP against a local server, and hand-made variants for every refusal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from analysis.models import Indicator, IndicatorValue
from municipalities.demo import MUNICIPALITIES_CSV
from municipalities.models import Municipality

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "analysis" / "data" / "pxweb"
VARIANTS = Path(__file__).resolve().parent / "pxweb"
DEFINITIONS = ROOT / "analysis" / "data" / "indicator_definitions.csv"
KTA = RECORDED / "kta_19_2020_key_figures.jsonstat2.json"
RA11 = RECORDED / "statfin_11ra_2025.json"
W121 = RECORDED / "statfin_121w_2025.json"
KTA_URL = (
    "https://pxdata.stat.fi/PxWeb/api/v1/en/Kuntien_talous_ja_toiminta/Kunnat/"
    "9._Tunnusluvut/006_kta_19_2020.px"
)
RA11_URL = "https://pxdata.stat.fi/api/v2/tables/statfin_vaerak_pxt_11ra?lang=fi"
KTA_MAP = {  # Tunnusluku code -> (indicator, scale), as analysis/data/statfin/kta_19.json says
    "omavaraisuus_aste": ("equity_ratio_pct", Decimal(1)),
    "suhteel_velkaant": ("relative_indebtedness_pct", Decimal(1)),
    "lainakanta_eur": ("loan_stock_meur", Decimal("0.001")),
    "lainakanta_asuk": ("loan_stock_eur_per_inhabitant", Decimal(1)),
    "k_lainakanta_eur": ("group_loan_stock_meur", Decimal("0.001")),
    "k_lainakanta_asuk": ("group_loan_stock_eur_per_inhabitant", Decimal(1)),
}
RA11_MAP = {
    "vaerak-vaesto": "population",
    "vaesto_alle15_p": "population_share_0_14_pct",
    "vaesto_yli64_p": "population_share_65_plus_pct",
}
W121_MAP = {
    "ssaaty-luonvalisays": "natural_population_increase_persons",
    "ssaaty-vm43_netto": "net_intermunicipal_migration_persons",
}
PERSPECTIVES = {"governance": "leadership"}


@pytest.fixture(autouse=True)
def fast_http(settings):
    settings.STATFIN_MIN_INTERVAL = 0
    settings.STATFIN_BACKOFF = 0
    settings.STATFIN_TIMEOUT = 5


@pytest.fixture
def data():
    call_command("import_municipalities", str(MUNICIPALITIES_CSV), stdout=io.StringIO())
    with DEFINITIONS.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            Indicator.objects.update_or_create(
                code=row["indicator"],
                defaults={
                    "name_fi": row["name_fi"],
                    "name_sv": row["name_sv"],
                    "name_en": row["name_en"],
                    "perspective": PERSPECTIVES.get(row["perspective"], row["perspective"]),
                    "unit": row["unit"][:60],
                    "source_fi": row["source_name"],
                    "licence_fi": row["licence"][:200],
                },
            )


def run(url: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_statfin", url, *args, stdout=out)
    return out.getvalue()


def refused(url: str, *args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(url, *args)
    message = str(error.value)
    assert "\n" not in message and "Traceback" not in message
    assert "nothing changed" in message
    return message


def stored() -> dict[tuple[str, str, int], Decimal]:
    return {
        (code, indicator, year): value
        for code, indicator, year, value in IndicatorValue.objects.values_list(
            "municipality__code", "indicator__code", "year", "value"
        )
    }


def snapshot() -> list[tuple]:
    return list(
        IndicatorValue.objects.order_by("pk").values_list(
            "pk", "municipality_id", "indicator_id", "year", "value", "source", "is_preferred"
        )
    )


def kta_expected() -> dict[tuple[str, str, int], Decimal]:
    """Straight from the JSON: ContentsCode and Vuosi have one value, so the value of area a
    and key figure k is value[a * 6 + k]."""
    document = json.loads(KTA.read_text(encoding="utf-8"))
    areas = list(document["dimension"]["Alue"]["category"]["index"])
    figures = list(document["dimension"]["Tunnusluku"]["category"]["index"])
    known = set(Municipality.objects.values_list("code", flat=True))
    expected = {}
    for a, area in enumerate(areas):
        for k, figure in enumerate(figures):
            indicator, scale = KTA_MAP[figure]
            if area in known:
                value = Decimal(document["value"][a * len(figures) + k]) * scale
                expected[(area, indicator, 2020)] = value
    return expected


def pxjson_expected(path: Path, mapping: dict[str, str]) -> dict[tuple[str, str, int], Decimal]:
    document = json.loads(path.read_text(encoding="utf-8"))
    keys = [column["code"] for column in document["columns"] if column["type"] != "c"]
    contents = [column["code"] for column in document["columns"] if column["type"] == "c"]
    area_at, year_at = keys.index("alue_23_20260101"), keys.index("timeperiod_y")
    expected = {}
    for row in document["data"]:
        area = row["key"][area_at]
        if not area.startswith("KU"):
            continue
        for content, value in zip(contents, row["values"], strict=True):
            if content in mapping:
                expected[(area[2:], mapping[content], int(row["key"][year_at]))] = Decimal(value)
    return expected


# --- the recorded responses through --file ------------------------------------------------------


def test_v1_jsonstat2_key_figures_are_stored_as_in_the_json(data):
    output = run(KTA_URL, "--file", str(KTA))

    expected = kta_expected()
    assert len(expected) == 309 * 6  # 310 areas of the 2020 division; 099 Honkajoki merged
    assert stored() == expected
    assert stored()[("980", "loan_stock_meur", 2020)] == Decimal("82.16")  # EUR 1,000 -> M€
    assert "loan_stock_meur: 309 created, 0 updated, 0 unchanged, 0 missing skipped" in output
    assert "Total (kta_19): 1854 created" in output
    assert "1 unknown municipality codes (099)" in output
    value = IndicatorValue.objects.get(municipality__code="980", indicator__code="equity_ratio_pct")
    assert value.data_source.code == "statistics-finland" and value.is_preferred


@pytest.mark.parametrize(
    ("path", "mapping", "table"), [(RA11, RA11_MAP, "11ra"), (W121, W121_MAP, "121w")]
)
def test_new_api_json_is_stored_as_in_the_json(data, path, mapping, table):
    output = run(f"https://pxdata.stat.fi/api/v2/tables/x_{table}", "--file", str(path))

    expected = pxjson_expected(path, mapping)
    assert len(expected) == 308 * len(mapping)  # 2026 division: Pertunmaa is in Mäntyharju
    assert stored() == expected
    assert "the whole country (SSS, not a municipality)" in output
    assert f"Total ({table}): {len(expected)} created" in output


def test_the_default_mapping_follows_the_file_name_when_the_url_names_no_table(data):
    run("-", "--file", str(W121))

    assert stored() == pxjson_expected(W121, W121_MAP)


def test_a_second_import_changes_nothing_and_a_changed_value_is_updated(data):
    run(KTA_URL, "--file", str(KTA))
    before = snapshot()

    output = run(KTA_URL, "--file", str(KTA))

    assert "Total (kta_19): 0 created, 0 updated, 1854 unchanged" in output
    assert snapshot() == before
    IndicatorValue.objects.filter(
        municipality__code="980", indicator__code="equity_ratio_pct"
    ).update(value=1)
    output = run(KTA_URL, "--file", str(KTA))
    assert "equity_ratio_pct: 0 created, 1 updated, 308 unchanged" in output
    assert stored()[("980", "equity_ratio_pct", 2020)] == Decimal(54)


def test_dry_run_prints_the_changes_and_writes_nothing(data):
    run(KTA_URL, "--file", str(KTA))
    IndicatorValue.objects.filter(indicator__code="equity_ratio_pct").delete()
    before = snapshot()

    output = run(KTA_URL, "--file", str(KTA), "--dry-run")

    assert "equity_ratio_pct: 309 created, 0 updated, 0 unchanged" in output
    assert "loan_stock_meur: 0 created, 0 updated, 309 unchanged" in output
    assert "Dry run: nothing was written." in output
    assert snapshot() == before


# --- hand-made variants: accepted ---------------------------------------------------------------


def test_missing_values_are_skipped_and_counted_never_zero(data):
    output = run(KTA_URL, "--file", str(VARIANTS / "jsonstat2_missing.json"))

    assert stored() == {
        ("005", "loan_stock_meur", 2020): Decimal("27.715"),
        ("980", "equity_ratio_pct", 2020): Decimal(54),
    }
    assert "equity_ratio_pct: 1 created, 0 updated, 0 unchanged, 1 missing skipped" in output
    assert "loan_stock_meur: 1 created, 0 updated, 0 unchanged, 1 missing skipped" in output

    output = run(RA11_URL, "--file", str(VARIANTS / "pxjson_missing.json"))

    values = stored()
    assert ("005", "population_share_0_14_pct", 2025) not in values  # ".."
    assert ("980", "population", 2025) not in values  # null
    assert values[("005", "population", 2025)] == Decimal(8982)
    assert values[("980", "population_share_0_14_pct", 2025)] == Decimal("19.8")
    assert "Total (11ra): 2 created, 0 updated, 0 unchanged, 2 missing skipped." in output


@pytest.mark.parametrize(
    ("url", "name", "key", "value"),
    [
        (KTA_URL, "jsonstat2_renamed.json", ("980", "loan_stock_meur", 2020), Decimal("82.16")),
        (RA11_URL, "pxjson_renamed.json", ("980", "population", 2025), Decimal(33850)),
    ],
)
def test_renamed_variables_are_still_read_through_the_metadata(data, url, name, key, value):
    run(url, "--file", str(VARIANTS / name))

    assert stored()[key] == value
    assert len(stored()) == 4


def test_a_table_of_one_key_figure_is_read_through_that_code(data, tmp_path):
    document = json.loads((VARIANTS / "jsonstat2_valid.json").read_text(encoding="utf-8"))
    document["size"][2] = 1
    document["dimension"]["Tunnusluku"]["category"]["index"] = {"lainakanta_eur": 0}
    document["value"] = [27715, 82160, 2]
    saved = tmp_path / "kta_19_one_figure.json"
    saved.write_text(json.dumps(document), encoding="utf-8")

    run(KTA_URL, "--file", str(saved))

    assert stored() == {
        ("005", "loan_stock_meur", 2020): Decimal("27.715"),
        ("980", "loan_stock_meur", 2020): Decimal("82.16"),
    }


def test_a_custom_indicator_map_overrides_the_shipped_one(data, tmp_path):
    mapping = tmp_path / "my_map.json"
    mapping.write_text(
        json.dumps(
            {
                "table": "my_11ra",
                "provenance": "Statistics Finland, 11ra (custom mapping)",
                "contents": {"vaerak-vaesto": {"indicator": "population_age_0_14", "scale": "2"}},
                "ignore": ["vaesto_alle15_p"],
            }
        ),
        encoding="utf-8",
    )

    output = run(
        RA11_URL, "--file", str(VARIANTS / "pxjson_valid.json"), "--indicator-map", str(mapping)
    )

    assert stored() == {
        ("005", "population_age_0_14", 2025): Decimal(2 * 8982),
        ("980", "population_age_0_14", 2025): Decimal(2 * 33850),
    }
    assert "Total (my_11ra): 2 created" in output
    assert set(IndicatorValue.objects.values_list("source", flat=True)) == {
        "Statistics Finland, 11ra (custom mapping)"
    }


# --- hand-made variants: refused, nothing changed -----------------------------------------------


@pytest.mark.parametrize(
    ("url", "name", "reason"),
    [
        (KTA_URL, "jsonstat2_unknown_code.json", "unknown content code uusi_tunnusluku"),
        (RA11_URL, "pxjson_unknown_code.json", "unknown content code vaesto_uusi_p"),
        (KTA_URL, "jsonstat2_monthly.json", "monthly periods (2020M11) where years are expected"),
        (RA11_URL, "pxjson_monthly.json", "monthly periods (2025M12) where years are expected"),
        (KTA_URL, "jsonstat2_nul_label.json", "NUL character"),
        (RA11_URL, "pxjson_nul_label.json", "NUL character"),
        (KTA_URL, "jsonstat2_truncated.json", "not complete JSON"),
        (RA11_URL, "pxjson_truncated.json", "not complete JSON"),
        (RA11_URL, "pxjson_quarterly.json", "quarterly periods (2025Q4) where years are expected"),
        (KTA_URL, "jsonstat2_changed_structure.json", "the variable Alue has 3 values, not 4"),
        (RA11_URL, "pxjson_changed_structure.json", "does not match its columns"),
        (KTA_URL, "unknown_format.json", "JSON-stat version 1"),
        (KTA_URL, "unknown_format_other.json", "format this importer does not know"),
    ],
)
def test_a_table_it_cannot_map_is_refused_in_one_line_and_changes_nothing(data, url, name, reason):
    run(KTA_URL, "--file", str(KTA))
    before = snapshot()

    message = refused(url, "--file", str(VARIANTS / name))

    assert reason in message
    assert snapshot() == before


def test_a_table_without_a_shipped_mapping_is_refused(data, tmp_path):
    message = refused("https://example.invalid/unknown.px", "--file", str(VARIANTS / "x.json"))
    assert "cannot read" in message
    saved = tmp_path / "saved.json"
    saved.write_bytes(RA11.read_bytes())

    message = refused("https://pxdata.stat.fi/x/unknown.px", "--file", str(saved))
    assert "no indicator mapping ships for this table" in message
    assert IndicatorValue.objects.count() == 0


def test_a_hostile_address_gives_one_printable_line(data):
    message = refused("x\x00\n" * 400, "--file", str(VARIANTS / "pxjson_truncated.json"))

    assert "\x00" not in message and len(message) <= 300


def test_the_12r5_mapping_refuses_until_an_indicator_is_defined(data, tmp_path):
    response = tmp_path / "statfin_tyonv_pxt_12r5.json"
    document = json.loads((VARIANTS / "pxjson_monthly.json").read_text(encoding="utf-8"))
    document["columns"][2]["code"] = "TYOTOSUUS"
    document["columns"][3]["code"] = "TYOTTOMATLOPUSSA"
    response.write_text(json.dumps(document), encoding="utf-8")

    message = refused("statfin_tyonv_pxt_12r5", "--file", str(response))

    assert "maps no content code of 12r5 to an indicator yet" in message


def test_exit_status_1_and_one_line_on_stderr_without_a_traceback(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_statfin", KTA_URL, "--file",
         str(VARIANTS / "jsonstat2_truncated.json")],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "not complete JSON" in line and "Traceback" not in result.stderr


# --- HTTP against a local server -----------------------------------------------------------------


class Server:
    """A real HTTP server in a thread; `routes[(method, path)]` is a list of answers
    (status, headers, body or a callable, delay) given in turn, the last one repeated."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[tuple]] = {}
        self.requests: list[tuple[str, str, bytes, float]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.answer("GET")

            def do_POST(self):
                self.answer("POST")

            def answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((method, self.path, body, time.monotonic()))
                answers = server.routes.get((method, self.path)) or [(404, {}, b"{}", 0)]
                status, headers, content, delay = answers.pop(0) if len(answers) > 1 else answers[0]
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def ok(self, method: str, path: str, content: bytes) -> None:
        self.routes[(method, path)] = [(200, {}, content, 0)]


@pytest.fixture
def server():
    server = Server()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def v1_metadata(document: dict) -> bytes:
    return json.dumps(
        {
            "title": document["label"],
            "variables": [
                {
                    "code": code,
                    "text": document["dimension"][code]["label"],
                    "values": list(document["dimension"][code]["category"]["index"]),
                    **({"time": True} if code == "Vuosi" else {}),
                }
                for code in document["id"]
            ],
        }
    ).encode()


def test_v1_table_over_http_gets_the_metadata_then_posts_the_query(data, server):
    path = "/PxWeb/api/v1/en/Kuntien_talous_ja_toiminta/Kunnat/9._Tunnusluvut/006_kta_19_2020.px"
    document = json.loads(KTA.read_text(encoding="utf-8"))
    server.ok("GET", path, v1_metadata(document))
    server.ok("POST", path, KTA.read_bytes())

    output = run(server.url + path)

    assert stored() == kta_expected()
    assert "Total (kta_19): 1854 created" in output
    assert [(method, p) for method, p, _body, _at in server.requests] == [
        ("GET", path),
        ("POST", path),
    ]
    query = json.loads(server.requests[1][2])
    assert query["response"] == {"format": "json-stat2"}
    selection = {item["code"]: item["selection"]["values"] for item in query["query"]}
    assert selection["Tunnusluku"] == list(KTA_MAP)
    assert len(selection["Alue"]) == 310 and selection["Vuosi"] == ["2020"]


def v2_metadata(document: dict) -> bytes:
    """The JSON-stat2 metadata (no values) the v2 API gives for the recorded json table."""
    columns = document["columns"]
    keys = [column for column in columns if column["type"] != "c"]
    at = {column["code"]: index for index, column in enumerate(keys)}
    dimension = {
        column["code"]: {
            "label": column["text"],
            "category": {
                "index": {
                    code: index
                    for index, code in enumerate(
                        dict.fromkeys(row["key"][at[column["code"]]] for row in document["data"])
                    )
                }
            },
        }
        for column in keys
    }
    contents = [column["code"] for column in columns if column["type"] == "c"]
    dimension["contentscode"] = {
        "label": "Tiedot",
        "category": {"index": {code: index for index, code in enumerate(contents)}},
    }
    ids = [*at, "contentscode"]
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "id": ids,
            "size": [len(dimension[code]["category"]["index"]) for code in ids],
            "role": {"time": ["timeperiod_y"], "metric": ["contentscode"]},
            "dimension": dimension,
        }
    ).encode()


def test_v2_table_over_http_builds_the_data_request_from_the_metadata(data, server):
    document = json.loads(RA11.read_text(encoding="utf-8"))
    server.ok(
        "GET", "/api/v2/tables/statfin_vaerak_pxt_11ra/metadata?lang=fi", v2_metadata(document)
    )
    data_path = "/api/v2/tables/statfin_vaerak_pxt_11ra/data?lang=fi&outputFormat=json-stat2"
    server.ok("POST", data_path, RA11.read_bytes())

    output = run(server.url + "/api/v2/tables/statfin_vaerak_pxt_11ra?lang=fi")

    assert stored() == pxjson_expected(RA11, RA11_MAP)
    assert "Total (11ra): 924 created" in output
    body = json.loads(server.requests[1][2])
    selection = {item["variableCode"]: item["valueCodes"] for item in body["selection"]}
    assert selection["contentscode"] == [*RA11_MAP, "vaesto_keski_ika"]
    assert len(selection["alue_23_20260101"]) == 568 and selection["timeperiod_y"] == ["2025"]


def test_a_url_that_answers_with_data_is_read_as_it_is(data, server):
    path = "/api/v2/tables/statfin_ssaaty_pxt_121w/data?lang=fi&outputFormat=json"
    server.ok("GET", path, W121.read_bytes())

    run(server.url + path)

    assert stored() == pxjson_expected(W121, W121_MAP)


def test_429_waits_for_retry_after_then_imports(data, server, settings):
    settings.STATFIN_RETRY_AFTER_MAX = 0.3  # the server asks for 5 s; tests cap the wait
    path = "/api/v2/tables/statfin_ssaaty_pxt_121w/metadata"
    server.routes[("GET", path)] = [
        (429, {"Retry-After": "5"}, b'{"error": "Too many requests"}', 0),
        (200, {}, W121.read_bytes(), 0),
    ]

    run(server.url + path)

    first, second = server.requests
    assert second[3] - first[3] >= 0.3  # the backoff is 0 here: the wait is Retry-After's
    assert stored() == pxjson_expected(W121, W121_MAP)


def test_5xx_is_retried_then_refused_cleanly(data, server, settings):
    settings.STATFIN_ATTEMPTS = 3
    run(KTA_URL, "--file", str(KTA))
    before = snapshot()
    path = "/api/v2/tables/statfin_ssaaty_pxt_121w/metadata"
    server.routes[("GET", path)] = [(503, {}, b"busy", 0)]

    message = refused(server.url + path)

    assert "failed after 3 attempts: HTTP 503" in message
    assert len(server.requests) == 3
    assert snapshot() == before


def test_a_timeout_is_retried_then_refused_cleanly(data, server, settings):
    settings.STATFIN_ATTEMPTS = 2
    settings.STATFIN_TIMEOUT = 0.2
    path = "/api/v2/tables/statfin_ssaaty_pxt_121w/metadata"
    server.routes[("GET", path)] = [(200, {}, W121.read_bytes(), 1.0)]

    message = refused(server.url + path)

    assert "failed after 2 attempts: no answer within 0.2 s" in message
    assert IndicatorValue.objects.count() == 0


def test_a_404_is_refused_at_once(data, server):
    message = refused(server.url + "/api/v2/tables/statfin_vaerak_pxt_11ra")

    assert "answered HTTP 404" in message
    assert len(server.requests) == 1
