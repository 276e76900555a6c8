"""The manager and feedback pages speak one language at a time, from the catalogues: Indonesian pages hold
no English words or raw keys, English pages hold the translated labels, and no page prints "None"."""

from __future__ import annotations

import re

import pytest

from tests.dash.conftest import build_monday
from tests.planning.test_planning_pages import TODAY, write_history
from tests.points.helpers import Office

# Words that leaked into Indonesian pages before the catalogues: raw weekday keys, estimate names in
# English, the English half of the old bilingual pairs, printer and status words.
ENGLISH_LEAKS = ["Monday", "Tuesday", "Service level", "Waiting now", "Counters", "service minutes mean",
                 "patience minutes", "Clerks needed", "Opening hours", "all offices", "Apply", "Sign out",
                 "How was our service", "Send rating", "Poor", "Very good", "unknown", "Holiday", "online", "offline",
                 "Staffing plan",
                 "Leaderboard", "Charts", "Dashboard", "Complaints", "Being handled", "Resident ratings"]
RAW_KEYS = re.compile(r">\s*(mon|tue|wed|thu|fri|sat|sun)\s*<|\b(mon|tue|wed|thu|fri) \d{4}-\d\d-\d\d")


def visible_text(html: str) -> str:
    """The page without its scripts, styles and tags: what a reader sees (and attribute-free)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def page(client, path: str, lang: str) -> str:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang={lang}")
    assert response.status_code == 200, (path, response.status_code)
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    return html


def assert_indonesian(html: str) -> None:
    text = visible_text(html)
    found = [word for word in ENGLISH_LEAKS if word in text]
    assert not found, found
    assert not RAW_KEYS.search(html), RAW_KEYS.search(html)
    assert "None" not in text
    assert "data-en" not in html and "data-lang-toggle" not in html


@pytest.fixture
def manager_client(app, client, world, clock):
    build_monday(app, world, clock)
    session = app.extensions["ptsp.sessions"]()
    write_history(session, TODAY, days=10)
    session.commit()
    session.close()
    response = client.post("/manager/login", data={"username": "manager", "password": "password-m"})
    assert response.status_code == 302
    return client


MANAGER_PAGES = {
    # path: (a label on the Indonesian page, the same label on the English page)
    "/manager/": ("Kantor", "Office"),
    "/manager/dashboard": ("Menunggu sekarang", "Waiting now"),
    "/manager/charts?from=2026-11-23&to=2026-11-23": ("Kedatangan per jam", "Arrivals by hour"),
    "/manager/export": ("Riwayat kejadian tiket", "Ticket events"),
    "/manager/calculator": ("Kalkulator jumlah petugas", "Staffing calculator"),
    "/manager/leaderboard": ("Peringkat", "Leaderboard"),
    "/manager/ikm": ("Persyaratan", "Requirements"),
    "/manager/complaints": ("Pengaduan", "Complaints"),
    "/manager/offices": ("Kantor yang melayani terlalu sedikit", "Offices that serve too few"),
    "/manager/referrals": ("Rujukan", "Referrals"),
    "/manager/pingpong": ("Ping-pong", "Ping-pong"),
    "/manager/discipline": ("Loket dibuka terlambat", "Counter opened late"),
    "/manager/dinas": ("Meja dinas", "Department desk"),
}


@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_manager_pages_speak_indonesian_then_english(manager_client, path):
    label_id, label_en = MANAGER_PAGES[path]
    indonesian = page(manager_client, path, "id")
    assert label_id in indonesian
    assert_indonesian(indonesian)
    english = page(manager_client, path, "en")
    assert label_en in english
    assert "None" not in visible_text(english)


def test_plan_page_names_weekdays_holidays_and_estimates_in_the_page_language(manager_client, world):
    path = f"/manager/plan?office={world.office}&from=2026-12-21&day=tue"
    indonesian = page(manager_client, path, "id")
    assert_indonesian(indonesian)
    assert "Selasa" in indonesian and "menit layanan, rata-rata" in indonesian
    assert "Hari Raya Natal" in indonesian  # 25 December, in the plan's first week, from `holidays` in Indonesian
    english = page(manager_client, path, "en")
    assert "Tuesday" in english and "service minutes, mean" in english and "Christmas Day" in english
    assert "Selasa" not in english and "Hari Raya Natal" not in english


def test_opening_hours_page_names_weekdays_in_the_page_language(manager_client, world):
    indonesian = page(manager_client, f"/manager/hours?office={world.office}", "id")
    assert_indonesian(indonesian)
    assert "Senin" in indonesian
    english = page(manager_client, f"/manager/hours?office={world.office}", "en")
    assert "Monday" in english and "Senin" not in english


def test_charts_hand_their_script_words_and_weekday_names_in_the_page_language(manager_client):
    path = "/manager/charts?from=2026-11-23&to=2026-11-23"
    indonesian = page(manager_client, path, "id")
    assert '"label": "Senin"' in indonesian and '"all_days": "Semua hari"' in indonesian
    english = page(manager_client, path, "en")
    assert '"label": "Monday"' in english and '"all_days": "All days"' in english


def test_dashboard_json_names_each_service_once_in_the_request_language(manager_client):
    indonesian = manager_client.get("/manager/api/dashboard?lang=id").get_json()
    english = manager_client.get("/manager/api/dashboard?lang=en").get_json()
    names_id = [s["name"] for o in indonesian["offices"] for s in o["services"]]
    names_en = [s["name"] for o in english["offices"] for s in o["services"]]
    assert names_id and all(isinstance(n, str) for n in names_id + names_en)
    assert names_id != names_en


def test_rating_form_speaks_indonesian_then_english(app, world, clock):
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    office.issue("A")
    served = desk.serve(8)
    client = app.test_client()
    path = f"/t/{office.tokens[served['id']]}/nilai"
    indonesian = page(client, path, "id")
    assert "Bagaimana layanan kami?" in indonesian and "Sangat baik" in indonesian
    assert_indonesian(indonesian)
    english = page(client, path, "en")
    assert "How was our service?" in english and "Very good" in english and "Requirements" in english
    assert "Bagaimana layanan kami?" not in english


def test_the_language_switch_sets_the_cookie_and_every_page_follows_it(manager_client):
    response = manager_client.get("/lang/en?next=/manager/dashboard")
    assert response.status_code == 303 and response.headers["Location"].endswith("/manager/dashboard")
    html = manager_client.get("/manager/dashboard").get_data(as_text=True)
    assert '<html lang="en">' in html and "Waiting now" in html and 'class="lang-btn on" lang="en"' in html
    manager_client.get("/lang/id?next=/manager/")
    assert "Menunggu sekarang" in manager_client.get("/manager/dashboard").get_data(as_text=True)
