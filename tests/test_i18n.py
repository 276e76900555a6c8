"""Text comes from gettext catalogues: complete, compiled, chosen per request, and open to a new language."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from ptsp.domain.errors import QueueEmpty
from ptsp.extensions import socketio
from ptsp.i18n import COOKIE, TRANSLATIONS, safe_next
from ptsp.i18n.errors import MESSAGES, describe
from ptsp.i18n.validation import FALLBACK
from ptsp.i18n.validation import TEMPLATES as VALIDATION_TEMPLATES
from ptsp.services.lookup import MISSING
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
    def entries(messages):  # a plural's id and string are sequences: compare them as tuples
        def key(text):
            return text if isinstance(text, str) else tuple(text)
        return {key(m.id): key(m.string) for m in messages if m.id}

    with po.open("rb") as f:
        source = entries(read_po(f))
    with po.with_suffix(".mo").open("rb") as f:
        compiled = entries(read_mo(f))
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
    answer = client.get("/lang/en?next=/kiosk/%3Freturn%3D30")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/kiosk/?return=30"
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


# --- Domain errors carry reasons, not sentences (read from the source) ---

SOURCES = ("ptsp", "kiosk", "counter", "display", "printers")
REASON = re.compile(r"^[a-z][a-z0-9_]*$")


def _source_trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            for folder in SOURCES for path in sorted((ROOT / folder).rglob("*.py"))]


def _error_classes(trees: list[tuple[Path, ast.Module]]) -> set[str]:
    """DomainError and every class that derives from it, however deep, wherever it is defined."""
    names = {"DomainError"}
    while True:
        more = {node.name for _, tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                and any(isinstance(base, ast.Name) and base.id in names for base in node.bases)}
        if more <= names:
            return names
        names |= more


def _error_calls() -> list[tuple[str, ast.Call]]:
    trees = _source_trees()
    classes = _error_classes(trees)
    return [(f"{path.relative_to(ROOT)}:{node.lineno}", node) for path, tree in trees for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes]


def test_the_scan_finds_the_raise_sites():
    assert len(_error_calls()) > 150


def _wordy(node: ast.expr) -> bool:
    """A string literal or f-string whose own text holds a space: a sentence, not a code or a value."""
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    return any(isinstance(p, ast.Constant) and isinstance(p.value, str) and " " in p.value for p in parts)


def test_no_domain_error_is_given_a_sentence():
    sentences = [where for where, call in _error_calls() for arg in [*call.args, *(k.value for k in call.keywords)]
                 if _wordy(arg)]
    computed = [where for where, call in _error_calls() if call.args and isinstance(call.args[0], ast.JoinedStr)]
    assert sentences == [] and computed == []


def test_every_raised_reason_has_a_message_with_the_params_it_is_given():
    problems = []
    for where, call in _error_calls():
        if not call.args:
            continue
        reason = call.args[0]
        if not (isinstance(reason, ast.Constant) and isinstance(reason.value, str)):
            continue  # computed (get_or_404's MISSING, validation's reason argument): checked below
        if not REASON.match(reason.value) or reason.value not in MESSAGES:
            problems.append(f"{where}: no message for {reason.value!r}")
            continue
        given = {k.arg for k in call.keywords}
        if None in given:  # **params
            continue
        missing = set(PLACEHOLDER.findall(MESSAGES[reason.value])) - given
        if missing:
            problems.append(f"{where}: {reason.value} needs {sorted(missing)}")
    assert problems == []


def test_computed_reasons_have_messages_too():
    assert set(MISSING.values()) <= set(MESSAGES)
    assert {"invalid_fields", "setup_file_invalid"} <= set(MESSAGES)
    for reason in ("invalid_fields", "setup_file_invalid"):
        assert PLACEHOLDER.findall(MESSAGES[reason]) == ["problems"]


# --- The same refusal in the reader's language, over HTTP and over a socket ---


def test_an_api_error_answers_in_indonesian_by_default_and_in_english_when_asked(tmp_path: Path, clock):
    client = make_test_app(f"sqlite:///{tmp_path / 'i18n.db'}", clock).test_client()
    default = client.get("/api/v1/offices")
    english = client.get("/api/v1/offices", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert default.status_code == english.status_code == 401
    assert default.get_json() == {"error": "unauthorized", "message": "Silakan masuk atau kirim token perangkat"}
    assert english.get_json() == {"error": "unauthorized", "message": "Please log in or send a device token"}


def test_a_refused_body_names_each_field_in_the_readers_language(tmp_path: Path, clock):
    client = make_test_app(f"sqlite:///{tmp_path / 'i18n.db'}", clock).test_client()
    body = {"username": "", "extra": 1}
    indonesian = client.post("/api/v1/auth/login", json=body)
    english = client.post("/api/v1/auth/login", json=body, headers={"Accept-Language": "en"})
    assert indonesian.status_code == english.status_code == 422
    assert indonesian.get_json()["message"] == (
        "Masukan tidak valid: username minimal 1 karakter; password wajib diisi; extra tidak dikenal")
    assert english.get_json()["message"] == (
        "Invalid input: username must be at least 1 characters; password is required; extra is not a known field")


def test_a_refused_socket_payload_is_answered_in_the_sockets_language(app, world):
    indonesian = socketio.test_client(app, auth={"token": world.display})
    english = socketio.test_client(app, auth={"token": world.display}, headers={"Cookie": f"{COOKIE}=en"})
    for client, wanted in ((indonesian, "Masukan tidak valid: seq paling besar"),
                           (english, "Invalid input: seq must be at most")):
        answer = client.emit("heartbeat", {"seq": 2**31}, callback=True)
        assert answer["error"] == "invalid_input" and answer["message"].startswith(wanted), answer
    refused = english.emit("command", {"action": "open", "counter": 1}, callback=True)
    assert refused == {"error": "forbidden", "message": "Only staff can send commands"}


def test_every_pydantic_template_is_in_the_catalogue_with_its_figures():
    for template in (*VALIDATION_TEMPLATES.values(), FALLBACK):
        assert set(PLACEHOLDER.findall(template)) >= {"field"} or template == VALIDATION_TEMPLATES["json_invalid"]
