"""Text comes from gettext catalogues: complete, compiled, chosen per request, and open to a new language."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from ptsp.domain.errors import QueueEmpty
from ptsp.i18n import TRANSLATIONS, safe_next
from ptsp.i18n.errors import MESSAGES, describe
from tests.conftest import make_test_app

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogues() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def test_there_is_at_least_the_english_catalogue():
    assert [p.parent.parent.name for p in catalogues()] == ["en"]


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_with_the_same_placeholders(po: Path):
    with po.open("rb") as f:
        catalogue = read_po(f)
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    for message in catalogue:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(PLACEHOLDER.findall(" ".join(ids)))
            for string in strings:
                assert set(PLACEHOLDER.findall(string)) == wanted, message.id


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalogue_is_the_source_catalogue(po: Path):
    with po.open("rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id}
    with po.with_suffix(".mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "run scripts/i18n.sh to compile the catalogue"


def test_every_translatable_string_in_the_code_is_in_each_catalogue(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "lazy_gettext", "-k", "_l",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    for po in catalogues():
        with po.open("rb") as f:
            have = {m.id for m in read_po(f) if m.id}
        assert wanted - have == set(), f"{po}: run scripts/i18n.sh and translate the new entries"
        assert have - wanted == set(), f"{po}: entries no code uses any more (scripts/i18n.sh drops them)"


def test_every_error_class_has_a_message_and_messages_only_use_their_params():
    assert {"domain_error", "queue_empty", "not_found", "invalid_input", "forbidden"} <= set(MESSAGES)


def test_an_error_reads_in_the_language_of_the_request(tmp_path: Path, clock):
    app = make_test_app(f"sqlite:///{tmp_path / 'i18n.db'}", clock)
    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "en-GB,en;q=0.9"}):
        assert describe(QueueEmpty()) == "Nobody is waiting"
    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "id-ID,id;q=0.9"}):
        assert describe(QueueEmpty()) == "Tidak ada antrean yang menunggu"
    with app.test_request_context("/api/v1/x"):
        assert describe(QueueEmpty()) == "Tidak ada antrean yang menunggu"
    # A page ignores the browser's language (a kiosk PC set up in English still greets in Indonesian) …
    with app.test_request_context("/kiosk/", headers={"Accept-Language": "en"}):
        assert describe(QueueEmpty()) == "Tidak ada antrean yang menunggu"
    # … and follows the switch's cookie or an explicit ?lang=.
    with app.test_request_context("/kiosk/", headers={"Cookie": "ptsp_lang=en"}):
        assert describe(QueueEmpty()) == "Nobody is waiting"
    with app.test_request_context("/api/v1/x?lang=id", headers={"Accept-Language": "en"}):
        assert describe(QueueEmpty()) == "Tidak ada antrean yang menunggu"


def test_outside_a_request_errors_read_in_indonesian():
    assert describe(QueueEmpty()) == "Tidak ada antrean yang menunggu"


def test_the_switch_remembers_the_language_and_returns_only_to_this_site(tmp_path: Path, clock):
    app = make_test_app(f"sqlite:///{tmp_path / 'i18n.db'}", clock)
    client = app.test_client()
    answer = client.get("/lang/en?next=/kiosk/%3Ftoken%3Dabc")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/kiosk/?token=abc"
    assert "ptsp_lang=en" in answer.headers["Set-Cookie"]
    assert client.get("/lang/xx?next=/").headers["Set-Cookie"].startswith("ptsp_lang=id")
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "", "x"):
        assert safe_next(evil) == "/"
        assert client.get("/lang/en", query_string={"next": evil}).headers["Location"] == "/"


def test_a_third_language_is_a_catalogue_and_nothing_else(tmp_path: Path, clock):
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder)
    javanese = folder / "jv" / "LC_MESSAGES"
    javanese.mkdir(parents=True)
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale="jv")
    catalogue["Tidak ada antrean yang menunggu"].string = "Ora ana antrean sing ngenteni"
    with (javanese / "messages.mo").open("wb") as f:
        write_mo(f, catalogue)
    app = make_test_app(f"sqlite:///{tmp_path / 'i18n.db'}", clock, BABEL_TRANSLATION_DIRECTORIES=str(folder))
    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "jv"}):
        assert describe(QueueEmpty()) == "Ora ana antrean sing ngenteni"
    client = app.test_client()
    assert client.get("/lang/jv?next=/").headers["Set-Cookie"].startswith("ptsp_lang=jv")
