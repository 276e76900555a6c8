"""The stations' text comes from the catalogue: Indonesian by default, English by the one switch, and the
switch comes back to the very page it left (device token included), never to another site. The kiosk
goes back to the office's language after each ticket and when it stands idle."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.conftest import login, pair, pair_page
from tests.kiosk.conftest import issue

# Labels each page must show in its language, and must not show in the other.
KIOSK = {"id": ["Silakan pilih layanan", "Prioritas (bila perlu):", "Tidak perlu nama atau NIK"],
         "en": ["Please choose a service", "Priority (if needed):", "No name or ID number needed"]}
STATUS = {"id": ["Nomor antrean", "Aktifkan suara & getar"], "en": ["Queue number", "Turn on sound & vibration"]}
COUNTER = {"id": ["Panggil berikutnya", "Kinerja saya hari ini", "Rujuk ke dinas"],
           "en": ["Call next", "My figures today", "Refer to department"]}
DISPLAY = {"id": ["Panggilan terakhir", "Aktifkan suara"], "en": ["Recent calls", "Turn on sound"]}


def switch_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav class="lang-switch".*?</nav>', page, re.S).group(0)
    links = {}
    for tag in re.findall(r"<a [^>]*>", nav):
        links[re.search(r'data-lang="(\w+)"', tag).group(1)] = html.unescape(re.search(r'href="([^"]+)"', tag).group(1))
    return links


def page_text(page: str) -> dict:
    return json.loads(re.search(r'<script id="ptsp-text" type="application/json">(.*?)</script>', page, re.S).group(1))


def assert_language(page: str, labels: dict[str, list[str]], lang: str) -> None:
    other = "en" if lang == "id" else "id"
    assert f'<html lang="{lang}">' in page
    for label in labels[lang]:
        assert label in page, f"{label!r} missing from the {lang} page"
    for label in labels[other]:
        assert label not in page, f"{label!r} ({other}) on the {lang} page"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_station_page_speaks_the_chosen_language_only(app, client, world, lang):
    client.set_cookie("ptsp_lang", lang)
    refused = client.get("/kiosk/")  # not paired yet
    assert refused.status_code == 401
    refusal = {"id": "Kios ini belum terdaftar", "en": "This kiosk is not registered"}[lang]
    assert refusal in refused.get_data(as_text=True)
    pair(client, world.kiosk, "kiosk")
    pair(client, world.display, "display")
    kiosk = client.get("/kiosk/").get_data(as_text=True)
    assert_language(kiosk, KIOSK, lang)
    wait = {"id": "± %(minutes)s menit", "en": "about %(minutes)s min"}[lang]
    assert page_text(kiosk)["text"]["wait_minutes"] == wait
    ticket = issue(client, world, "A").get_json()
    status = client.get(f"/t/{ticket['status_url'].rsplit('/', 1)[1]}").get_data(as_text=True)
    assert_language(status, STATUS, lang)
    assert {"id": "KTP", "en": "ID card"}[lang] in status
    display = client.get("/display/").get_data(as_text=True)
    assert_language(display, DISPLAY, lang)
    # The lobby hears calls in the office's language, whatever the screen's text is in.
    assert '"announcement": "Nomor antrian %(code)s, silakan ke loket %(number)s"' in display
    login(client, "clerk1")
    counter = client.get("/counter/").get_data(as_text=True)
    assert_language(counter, COUNTER, lang)
    assert page_text(counter)["text"]["state_break"] == {"id": "istirahat", "en": "on break"}[lang]
    unknown = client.get("/t/not-a-ticket").get_data(as_text=True)
    assert {"id": "Tiket tidak ditemukan", "en": "Ticket not found"}[lang] in unknown


def test_the_switch_comes_back_to_the_same_page_with_its_query_and_only_to_this_site(client, world):
    pair(client, world.kiosk, "kiosk")
    page = client.get("/kiosk/?return=30&lang=en").get_data(as_text=True)
    links = switch_links(page)
    assert set(links) == {"id", "en"}
    to_id = client.get(links["id"])
    assert to_id.status_code == 303
    assert to_id.headers["Location"] == "/kiosk/?return=30"  # the query kept, ?lang dropped
    assert "ptsp_lang=id" in to_id.headers["Set-Cookie"]
    assert '<html lang="id">' in client.get(to_id.headers["Location"]).get_data(as_text=True)
    to_en = client.get(switch_links(client.get("/kiosk/?return=30").get_data(as_text=True))["en"])
    assert to_en.headers["Location"] == "/kiosk/?return=30"
    assert '<html lang="en">' in client.get(to_en.headers["Location"]).get_data(as_text=True)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        answer = client.get("/lang/en", query_string={"next": target})
        assert answer.status_code == 303 and answer.headers["Location"] == "/", target


def test_the_kiosk_knows_its_way_back_to_the_office_language(client, world):
    client.set_cookie("ptsp_lang", "en")
    pair(client, world.kiosk, "kiosk")
    page = client.get("/kiosk/").get_data(as_text=True)
    found = re.search(r'<script id="ptsp-config" type="application/json">(.*?)</script>', page, re.S)
    config = json.loads(found.group(1))
    assert (config["language"], config["default_language"]) == ("en", "id")
    back = client.get(config["default_language_url"])
    assert back.headers["Location"] == "/kiosk/" and "ptsp_lang=id" in back.headers["Set-Cookie"]


def open_kiosk_in_english(server, page_factory, query: str):
    page = page_factory(1080, 1920, locale="en-US")  # the browser's own language does not choose the page's
    pair_page(page, server.base, f"/kiosk/{query}", server.kiosk)
    page.wait_for_selector("#services button.svc")
    assert page.inner_text("#start h1") == "Silakan pilih layanan"
    page.click(".lang-switch a[data-lang=en]")
    page.wait_for_selector("#services button.svc")
    assert page.inner_text("#start h1") == "Please choose a service"
    assert page.evaluate("location.search") == query
    return page


def test_kiosk_returns_to_the_office_language_after_a_ticket_and_after_idling(server, page_factory, shot):
    page = open_kiosk_in_english(server, page_factory, "?return=2&idle=120")
    assert "Waiting: 0" in page.inner_text("#services .svc >> nth=0")
    shot(page, "kiosk-en-portrait")
    page.click("#services .svc >> nth=0")
    page.wait_for_selector("#ticket:not([hidden])")
    assert "Your queue number" in page.inner_text("#ticket")
    page.wait_for_function("document.documentElement.lang === 'id'", timeout=15_000)
    page.wait_for_selector("#start:not([hidden]) .svc")
    assert page.inner_text("#start h1") == "Silakan pilih layanan"
    assert "Menunggu: 1 orang" in page.inner_text("#services .svc >> nth=0")
    assert page.evaluate("location.search") == "?return=2&idle=120"

    idle = open_kiosk_in_english(server, page_factory, "?idle=3")
    idle.wait_for_function("document.documentElement.lang === 'id'", timeout=15_000)
    idle.wait_for_selector("#services button.svc")
    assert idle.inner_text("#start h1") == "Silakan pilih layanan"
