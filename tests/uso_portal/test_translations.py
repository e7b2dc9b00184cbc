"""`locale/fi` and `locale/sv` are complete: every translatable string has a translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fi", "sv"]
# Every app of the project (a folder with an apps.py), the project package and the templates:
# a new app is checked without anyone remembering to list it here.
SOURCE_DIRS = sorted(
    {path.parent.name for path in ROOT.glob("*/apps.py")} | {"uso_portal", "templates"}
)


def catalogue(root: Path, language: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


def entry_key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """Run makemessages on a copy of the sources, so the checkout is not touched."""
    copy = tmp_path_factory.mktemp("messages")
    for name in [*SOURCE_DIRS, "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, copy / name)
    for language in LANGUAGES:
        (copy / "locale" / language / "LC_MESSAGES").mkdir(parents=True)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--no-location",
            *[option for lang in LANGUAGES for option in ("-l", lang)],
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_string_of_the_code(extracted, language):
    wanted = {entry_key(entry) for entry in catalogue(extracted, language)}
    present = {entry_key(entry) for entry in catalogue(ROOT, language) if not entry.obsolete}
    missing = sorted(wanted - present, key=str)
    assert not missing, f"run `make makemessages` and translate: {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language):
    po = catalogue(ROOT, language)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {language}: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:20]}"
