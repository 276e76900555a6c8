"""The "Atur jam buka" pages and their use cases, on SQLite and PostgreSQL, with a frozen clock: a week with a lunch
break and the Friday prayer saved and audited, every refused week changing nothing, the kiosk following new hours
and a closure day added through the page, a cuti bersama day kept open (kiosk, tickets, planning, discipline), the
scope refusals (an agency's manager reads only), and the audit entries of the tolerance and of `ptsp closures`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from ptsp.analytics.history import load_history
from ptsp.cli import cli
from ptsp.domain.errors import Forbidden, InvalidInput
from ptsp.domain.hours import WEEKDAYS
from ptsp.domain.opening import holidays_between
from ptsp.models import AuditEntry, Office, OfficeClosedDay, Staff
from ptsp.services import hours_admin, office_calendar
from ptsp.services.actors import Actor
from ptsp.services.discipline import scan
from tests.accountability.history import History
from tests.accountability.test_closed_days import a_bad_morning
from tests.admin.test_admin_browser import manager_login
from tests.conftest import WEEKDAY_HOURS, bearer, login
from tests.kiosk.conftest import issue
from tests.test_agencies import load, mpp

SUITE_HOURS = {**WEEKDAY_HOURS, "sat": [], "sun": []}  # as the set-up file stores the suite's hours
TUESDAY = date(2026, 11, 24)  # the day after the suite's Monday 23 November 2026, 09:00 WIB
CHRISTMAS_EVE = date(2026, 12, 24)  # cuti bersama (Christmas is the next day)

GOOD_WEEK = {
    "mon-open": "08:00", "mon-close": "16:00",
    "mon-break-start": ["12:00", ""], "mon-break-end": ["13:00", ""],
    "mon-break-kind": ["staff_break", "staff_break"], "mon-break-reason": ["", ""],
    "fri-open": "07:30", "fri-close": "16:30",
    "fri-break-start": ["11:30"], "fri-break-end": ["13:30"], "fri-break-kind": ["closure"],
    "fri-break-reason": ["Sholat Jumat"],
    "sat-open": "08:00", "sat-close": "12:00",
    **{f"{day}-closed": "1" for day in ("tue", "wed", "thu", "sun")},
}


def office(app, office_id: int) -> Office:
    with app.extensions["ptsp.sessions"]() as session:
        row = session.get(Office, office_id)
        session.expunge(row)
        return row


def audit_entries(app, entity: str | None = None) -> list[AuditEntry]:
    with app.extensions["ptsp.sessions"]() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if entity:
            query = query.where(AuditEntry.entity == entity)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def own_days(app) -> list[tuple[date, str, bool]]:
    with app.extensions["ptsp.sessions"]() as session:
        return [tuple(r) for r in session.execute(select(OfficeClosedDay.day, OfficeClosedDay.reason,
                                                         OfficeClosedDay.stays_open).order_by(OfficeClosedDay.day))]


def kiosk_state(client, world) -> dict:
    response = client.get("/kiosk/state", headers=bearer(world.kiosk))
    assert response.status_code == 200
    return response.get_json()


def test_a_manager_sets_a_week_with_a_lunch_break_and_the_friday_prayer_and_it_is_audited(app, client, world):
    login(client, "manager")
    page = client.get(f"/manager/admin/offices/{world.office}/hours")
    assert page.status_code == 200
    text = page.text
    assert "Atur jam buka" in text and "(WIB)" in text and 'id="read-only"' not in text
    assert "Nomor antrean terakhir diambil 30 menit sebelum kantor tutup" in text
    assert 'name="fri-break-start" value="11:30"' in text  # the stored gap, shown as a break
    saved = client.post(f"/manager/admin/offices/{world.office}/hours", data=GOOD_WEEK)
    assert saved.status_code == 302 and "saved=1" in saved.headers["Location"]
    stored = office(app, world.office)
    assert stored.hours == {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], "tue": [], "wed": [], "thu": [],
                            "fri": [["07:30", "11:30"], ["13:30", "16:30"]], "sat": [["08:00", "12:00"]], "sun": []}
    assert stored.closures == {"fri": [["11:30", "13:30", "Sholat Jumat"]]}
    [entry] = audit_entries(app, "office_hours")
    assert (entry.actor, entry.office_id, entry.entity_id, entry.action) == (
        "staff:manager", world.office, world.office, "updated")
    assert entry.before == {"hours": SUITE_HOURS, "closures": {}}
    assert entry.after == {"hours": stored.hours, "closures": stored.closures}
    shown = client.get(saved.headers["Location"]).text
    assert 'id="saved"' in shown and 'name="sat-close" value="12:00"' in shown
    assert 'value="closure" selected' in shown and 'value="Sholat Jumat"' in shown
    # Saving the same week again changes nothing and writes no second entry.
    assert client.post(f"/manager/admin/offices/{world.office}/hours", data=GOOD_WEEK).status_code == 302
    assert len(audit_entries(app, "office_hours")) == 1
    assert ">Jam buka & libur</a>" in shown  # the nav's link
    office_page = client.get(f"/manager/admin/offices/{world.office}").text  # the office's settings page links here
    assert f'href="/manager/admin/offices/{world.office}/hours" id="office-hours-link"' in office_page


def _week(**changes: object) -> dict[str, object]:
    return {**GOOD_WEEK, **changes}


@pytest.mark.parametrize(("form", "words"), [
    (_week(**{"mon-close": ""}), "Senin: isi jam buka dan jam tutup"),
    (_week(**{"mon-open": "16:00", "mon-close": "08:00"}), "Senin: jam tutup harus setelah jam buka"),
    (_week(**{"mon-open": "25:00"}), "Jam tidak valid: &#39;25:00&#39;"),
    (_week(**{"mon-open": "jam8"}), "Jam tidak valid"),
    (_week(**{"mon-break-start": ["07:00"], "mon-break-end": ["09:00"], "mon-break-kind": ["staff_break"],
              "mon-break-reason": [""]}), "Senin: istirahat 07:00–09:00 harus di dalam jam buka 08:00–16:00"),
    (_week(**{"mon-break-start": ["13:00"], "mon-break-end": ["12:00"], "mon-break-kind": ["staff_break"],
              "mon-break-reason": [""]}), "Senin: istirahat 13:00–12:00 harus selesai setelah mulai"),
    (_week(**{"mon-break-start": ["12:00", "12:30"], "mon-break-end": ["13:00", "14:00"],
              "mon-break-kind": ["staff_break"] * 2, "mon-break-reason": ["", ""]}), "bertumpuk"),
    (_week(**{"mon-break-start": ["12:00", "13:00"], "mon-break-end": ["13:00", "14:00"],
              "mon-break-kind": ["staff_break"] * 2, "mon-break-reason": ["", ""]}), "bersambung"),
    (_week(**{"mon-break-start": ["12:00"], "mon-break-end": [""], "mon-break-kind": ["staff_break"],
              "mon-break-reason": [""]}), "Senin: isi jam mulai dan jam selesai istirahat"),
    (_week(**{"sun-closed": "", "sun-break-start": ["10:00"], "sun-break-end": ["11:00"]}),
     "Minggu: isi jam buka dan jam tutup"),
])
def test_a_refused_week_shows_its_reason_and_changes_nothing(app, client, world, form, words):
    login(client, "manager")
    response = client.post(f"/manager/admin/offices/{world.office}/hours", data=form)
    assert response.status_code == 422, response.text[:400]
    assert 'id="form-error"' in response.text and words in response.text, response.text
    assert 'class="row-error"' in response.text or "Jam tidak valid" in words
    assert office(app, world.office).hours == SUITE_HOURS and office(app, world.office).closures == {}
    assert audit_entries(app) == []


def test_the_kiosk_follows_new_hours_at_once(app, client, world, clock):
    # Monday 09:00 WIB: open by the suite's hours.
    assert kiosk_state(client, world)["state"] == "open"
    login(client, "manager")
    later = _week(**{"mon-open": "10:00", "mon-close": "15:00", "mon-break-start": [""], "mon-break-end": [""]})
    assert client.post(f"/manager/admin/offices/{world.office}/hours", data=later).status_code == 302
    shown = kiosk_state(client, world)
    assert (shown["state"], shown["opens_at"], shown["closes_at"], shown["last_ticket_at"]) == (
        "closed", "10:00", "15:00", "14:30")
    refused = issue(client, world, "A")
    assert refused.status_code == 409 and refused.get_json()["error"] == "office_closed"
    clock.advance(hours=1)  # 10:00 WIB
    assert kiosk_state(client, world)["state"] == "open"
    assert issue(client, world, "A").status_code == 201
    clock.advance(hours=4, minutes=40)  # 14:40: after the last-ticket cut-off of the new closing time
    assert kiosk_state(client, world)["state"] == "cutoff"
    # Monday closed altogether: the kiosk is closed at once, with no opening time today.
    shut = _week(**{"mon-closed": "1"})
    assert client.post(f"/manager/admin/offices/{world.office}/hours", data=shut).status_code == 302
    assert (kiosk_state(client, world)["state"], kiosk_state(client, world)["opens_at"]) == ("closed", None)
    # The holiday screen's "opens again" follows the hours too: Tuesday closed by the office, Wednesday closed
    # all week, Thursday opening at 09:30.
    url = f"/manager/admin/offices/{world.office}/closures"
    assert client.post(url, data={"first": TUESDAY.isoformat(), "reason": "Rapat kerja"}).status_code == 302
    thursday = _week(**{"tue-closed": "", "tue-open": "08:00", "tue-close": "12:00", "thu-closed": "",
                        "thu-open": "09:30", "thu-close": "15:00"})
    assert client.post(f"/manager/admin/offices/{world.office}/hours", data=thursday).status_code == 302
    clock.advance(days=1)  # Tuesday
    closed = kiosk_state(client, world)["closed_day"]
    assert closed["reopens"] == "2026-11-26" and "Kamis, 26 November 2026 pukul 09.30 WIB" in closed["text"]


def test_a_closure_added_on_the_page_closes_the_kiosk_that_day_and_it_issues_the_next(app, client, world, clock):
    login(client, "manager")
    url = f"/manager/admin/offices/{world.office}/closures"
    page = client.get(url)
    assert page.status_code == 200 and "Hari libur dan tutup 2026" in page.text
    assert 'data-day="2026-12-25" data-kind="national"' in page.text and "Hari Raya Natal" in page.text
    added = client.post(url, data={"first": TUESDAY.isoformat(), "last": "", "reason": "Rapat kerja tahunan",
                                   "year": "2026"})
    assert added.status_code == 302 and "saved=1" in added.headers["Location"]
    assert own_days(app) == [(TUESDAY, "Rapat kerja tahunan", False)]
    [entry] = audit_entries(app, "office_closure")
    assert (entry.actor, entry.action, entry.before, entry.after) == (
        "staff:manager", "created", None, {"day": "2026-11-24", "reason": "Rapat kerja tahunan", "stays_open": False})
    assert 'data-day="2026-11-24" data-kind="office"' in client.get(added.headers["Location"]).text

    assert issue(client, world, "A").status_code == 201  # Monday: an ordinary day
    clock.advance(days=1)  # Tuesday 09:00 WIB
    refused = issue(client, world, "A")
    assert refused.status_code == 409 and "Rapat kerja tahunan" in refused.get_json()["message"]
    shown = kiosk_state(client, world)
    assert shown["state"] == "closed" and shown["closed_day"]["title"] == "Kantor tutup: Rapat kerja tahunan"
    assert shown["closed_day"]["reopens"] == "2026-11-25"
    clock.advance(days=1)  # Wednesday
    assert kiosk_state(client, world)["closed_day"] is None
    assert issue(client, world, "A").status_code == 201


def test_a_range_of_closure_days_and_removing_a_future_one_but_never_a_past_one(app, client, world, clock):
    login(client, "manager")
    url = f"/manager/admin/offices/{world.office}/closures"
    assert client.post(url, data={"first": "2026-11-25", "last": "2026-11-27", "reason": "Banjir"}).status_code == 302
    assert [d for d, _, _ in own_days(app)] == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]
    assert client.post(f"{url}/2026-11-26/remove", data={"year": "2026"}).status_code == 302
    assert [d for d, _, _ in own_days(app)] == [date(2026, 11, 25), date(2026, 11, 27)]
    assert [e.action for e in audit_entries(app, "office_closure")] == ["created"] * 3 + ["deleted"]
    clock.advance(days=3)  # Thursday 26th: the 25th is past, the 27th still to come
    refused = client.post(f"{url}/2026-11-25/remove")
    assert refused.status_code == 422 and "sudah lewat" in refused.text
    assert [d for d, _, _ in own_days(app)] == [date(2026, 11, 25), date(2026, 11, 27)]
    page = client.get(url).text
    past_row = page[page.index('data-day="2026-11-25"'):page.index("</tr>", page.index('data-day="2026-11-25"'))]
    assert "Hapus" not in past_row  # a past day offers no button


@pytest.mark.parametrize(("form", "status", "words"), [
    ({"first": "2026-11-20", "reason": "Rapat"}, 422, "sudah lewat"),  # the Friday before
    ({"first": "2026-11-25", "last": "2026-11-24", "reason": "Rapat"}, 422, "sebelum tanggal awal"),
    ({"first": "2026-12-01", "last": "2027-01-05", "reason": "Renovasi"}, 422, "Paling banyak 31 hari"),
    ({"first": "2026-11-24", "reason": "   "}, 422, "Alasan tutup wajib diisi"),
    ({"first": "2026-11-24", "reason": "x" * 201}, 422, "paling panjang 200"),
    ({"first": "24-11-2026", "reason": "Rapat"}, 422, "Dari tanggal"),
    ({"first": "2026-11-24", "last": "besok", "reason": "Rapat"}, 422, "Sampai tanggal"),
    ({"first": "2026-11-24", "last": "2026-11-28", "reason": "Rapat"}, 422, "sudah ditutup pada 2026-11-26"),
])
def test_refused_closures_show_the_reason_and_change_nothing(app, client, world, form, status, words):
    login(client, "manager")
    url = f"/manager/admin/offices/{world.office}/closures"
    if "2026-11-28" in form.get("last", ""):
        assert client.post(url, data={"first": "2026-11-26", "reason": "Pemilu"}).status_code == 302
    before_days, before_audit = own_days(app), len(audit_entries(app))
    response = client.post(url, data=form)
    assert response.status_code == status, response.text[:300]
    assert 'id="form-error"' in response.text and words in response.text, response.text
    assert own_days(app) == before_days and len(audit_entries(app)) == before_audit


def test_a_cuti_bersama_day_kept_open_is_open_for_kiosk_planning_and_discipline(app, client, world, clock):
    clock.now = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)  # Monday 21 December, 09:00 WIB
    login(client, "manager")
    url = f"/manager/admin/offices/{world.office}/closures"
    row = client.get(url).text
    row = row[row.index(f'data-day="{CHRISTMAS_EVE}"'):]
    assert 'data-kind="cuti_bersama"' in row[:60] and "Tetap buka" in row[:row.index("</tr>")]
    kept = client.post(f"{url}/{CHRISTMAS_EVE}/keep-open", data={"note": "Layanan KTP tetap jalan", "year": "2026"})
    assert kept.status_code == 302
    assert own_days(app) == [(CHRISTMAS_EVE, "Layanan KTP tetap jalan", True)]
    [entry] = audit_entries(app, "calendar_override")
    assert (entry.action, entry.after["stays_open"], entry.after["day"]) == ("created", True, "2026-12-24")
    assert "tetap buka" in client.get(kept.headers["Location"]).text
    # Christmas itself is a national holiday, and a day twice is refused; nothing changes.
    for day, words in (("2026-12-25", "bukan cuti bersama"), ("2026-12-24", "sudah ditetapkan tetap buka"),
                       ("2026-12-23", "bukan cuti bersama")):
        refused = client.post(f"{url}/{day}/keep-open", data={"note": ""})
        assert refused.status_code == 422 and words in refused.text, day
    assert len(own_days(app)) == 1 and len(audit_entries(app)) == 1
    listed = client.get(f"/api/v1/offices/{world.office}/closures?days=10").get_json()
    assert listed["stays_open"] == ["2026-12-24"] and listed["office"] == []

    with app.extensions["ptsp.sessions"]() as session:  # one calendar for every reader
        assert office_calendar.closed_day(session, world.office, CHRISTMAS_EVE) is None
        days = office_calendar.office_days(session, world.office)
        planned = holidays_between(date(2026, 12, 21), date(2026, 12, 28), office_days=days)
        assert CHRISTMAS_EVE not in planned and date(2026, 12, 25) in planned
        assert load_history(session, world.office, date(2026, 12, 1), date(2026, 12, 21)).closed_days == {
            CHRISTMAS_EVE: None}  # planning reads the override with the office's days
    clock.now = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)  # Thursday 24 December, 09:00 WIB
    assert kiosk_state(client, world)["closed_day"] is None
    assert issue(client, world, "A").status_code == 201
    # Taken back (a future day): the cuti bersama closes the office again.
    clock.now = datetime(2026, 12, 22, 2, 0, tzinfo=UTC)
    login(client, "manager")
    assert client.post(f"{url}/{CHRISTMAS_EVE}/close-again").status_code == 302
    assert own_days(app) == [] and [e.action for e in audit_entries(app, "calendar_override")] == [
        "created", "deleted"]
    clock.now = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)
    refused = issue(client, world, "A")
    assert refused.status_code == 409 and "Cuti Bersama" in refused.get_json()["message"]
    assert client.post(f"{url}/{CHRISTMAS_EVE}/close-again").status_code in (404, 422)


def test_the_discipline_scan_asks_for_cover_on_a_kept_open_cuti_bersama_day_only(app, world):
    with app.extensions["ptsp.sessions"]() as session:
        history = History(session)
        a_bad_morning(history, CHRISTMAS_EVE)
        session.commit()
        evening = history.at("17:00", CHRISTMAS_EVE)
        assert scan(session, office_id=world.office, day=CHRISTMAS_EVE, now=evening).found == 0  # cuti bersama
        manager = session.scalar(select(Staff).where(Staff.username == "manager"))
        hours_admin.keep_open(session, Actor("staff", manager.id, "manager", manager.office_id), office_id=world.office,
                              day=CHRISTMAS_EVE, note="", now=datetime(2026, 12, 21, 2, 0, tzinfo=UTC))
        assert scan(session, office_id=world.office, day=CHRISTMAS_EVE, now=evening).found > 0  # a working day
        session.rollback()


def agency_manager(app) -> None:
    """`sup` made a manager limited to the DUKCAPIL agency of the test office."""
    load(app, mpp(sup="DUKCAPIL"))
    with app.extensions["ptsp.sessions"]() as session:
        session.scalar(select(Staff).where(Staff.username == "sup")).role = "manager"
        session.commit()


def test_an_agencys_manager_reads_the_hours_and_calendar_but_changes_neither(app, client, world):
    agency_manager(app)
    login(client, "sup")
    page = client.get(f"/manager/admin/offices/{world.office}/hours")
    assert page.status_code == 200 and 'id="read-only"' in page.text and "Simpan jam buka" not in page.text
    calendar = client.get(f"/manager/admin/offices/{world.office}/closures")
    assert calendar.status_code == 200 and 'id="add-closure"' not in calendar.text
    refused = client.post(f"/manager/admin/offices/{world.office}/hours", data=GOOD_WEEK)
    assert refused.status_code == 403 and "berlaku untuk seluruh kantor" in refused.text
    url = f"/manager/admin/offices/{world.office}/closures"
    assert client.post(url, data={"first": "2026-11-24", "reason": "Rapat"}).status_code == 403
    assert client.post(f"{url}/2026-12-24/keep-open").status_code == 403
    api = client.post(f"/api/v1/offices/{world.office}/closures", json={"day": "2026-11-24", "reason": "Rapat"})
    assert api.status_code == 403  # the REST route follows the same rule
    assert office(app, world.office).hours == SUITE_HOURS and own_days(app) == [] and audit_entries(app) == []


@pytest.mark.parametrize("who", ["sup", "clerk1", "other"])
def test_supervisors_and_clerks_are_refused_every_page(app, client, world, who):
    login(client, who)
    for path in ("hours", "closures"):
        page = client.get(f"/manager/admin/offices/{world.office}/{path}")
        assert page.status_code == 403 and "hanya untuk manajer dan admin" in page.text
    assert client.get("/manager/admin/offices/hours").status_code == 403
    assert client.post(f"/manager/admin/offices/{world.office}/hours", data=GOOD_WEEK).status_code == 403
    assert client.post(f"/manager/admin/offices/{world.office}/closures",
                       data={"first": "2026-11-24", "reason": "x"}).status_code == 403
    assert office(app, world.office).hours == SUITE_HOURS and own_days(app) == [] and audit_entries(app) == []


def test_a_manager_is_refused_an_office_out_of_scope_and_an_unknown_one(app, client, world):
    login(client, "manager")  # of kec-test: kel-test is below it, kel-lain is not
    for path in ("hours", "closures"):
        assert client.get(f"/manager/admin/offices/{world.other_office}/{path}").status_code == 403
        assert client.get(f"/manager/admin/offices/999999/{path}").status_code == 404
    assert client.post(f"/manager/admin/offices/{world.other_office}/hours", data=GOOD_WEEK).status_code == 403
    assert client.post(f"/manager/admin/offices/{world.other_office}/closures",
                       data={"first": "2026-11-24", "reason": "x"}).status_code == 403
    assert client.post("/manager/admin/offices/999999/hours", data=GOOD_WEEK).status_code == 404
    assert office(app, world.other_office).hours == SUITE_HOURS and own_days(app) == [] and audit_entries(app) == []
    chooser = client.get("/manager/admin/offices/hours")
    assert chooser.status_code == 200 and "Kecamatan Uji" in chooser.text and "Kelurahan Lain" not in chooser.text


def test_a_form_without_its_csrf_token_is_refused(app, client, world):
    login(client, "manager")
    bare = FlaskClient(app, use_cookies=True)
    bare._cookies = client._cookies
    refused = bare.post(f"/manager/admin/offices/{world.office}/hours", data=GOOD_WEEK)
    assert refused.status_code in (400, 403)
    assert office(app, world.office).hours == SUITE_HOURS and audit_entries(app) == []


def test_the_tolerance_change_is_audited(app, client, world):
    assert client.post("/manager/login", data={"username": "sup", "password": "password-s"}).status_code == 302
    form = {"office": str(world.office), "late_opening": "6", "long_break": "", "idle_clerk": "0"}
    assert client.post("/manager/discipline/tolerance", data=form).status_code == 302
    [entry] = audit_entries(app, "discipline_tolerance")
    assert (entry.actor, entry.office_id, entry.action, entry.before, entry.after) == (
        "staff:sup", world.office, "updated", {"tolerance_minutes": {}},
        {"tolerance_minutes": {"late_opening": 6}})
    refused = client.post("/manager/discipline/tolerance", data={"office": str(world.office), "late_opening": "x"})
    assert refused.status_code == 400 and len(audit_entries(app)) == 1


def test_ptsp_closures_commands_are_audited_as_cli(app, world, monkeypatch, db_url):
    monkeypatch.setenv("PTSP_DATABASE_URL", db_url)
    monkeypatch.setenv("PTSP_ENV", "development")
    runner = CliRunner()
    added = runner.invoke(cli, ["closures", "add", "--office", "kel-test", "--day", "2099-01-05",
                                "--reason", "Pemilihan kepala desa"])
    assert added.exit_code == 0, added.output
    assert runner.invoke(cli, ["closures", "remove", "--office", "kel-test", "--day", "2099-01-05"]).exit_code == 0
    refused = runner.invoke(cli, ["closures", "add", "--office", "kel-test", "--day", "2000-01-05", "--reason", "x"])
    assert refused.exit_code == 1
    entries = audit_entries(app, "office_closure")
    assert [(e.actor, e.actor_staff_id, e.action, e.office_id) for e in entries] == [
        ("cli", None, "created", world.office), ("cli", None, "deleted", world.office)]
    assert entries[1].before == {"day": "2099-01-05", "reason": "Pemilihan kepala desa", "stays_open": False}


def test_the_use_cases_refuse_past_days_and_wrong_actors_without_a_page(app, world, clock):
    with app.extensions["ptsp.sessions"]() as session:
        manager = session.scalar(select(Staff).where(Staff.username == "manager"))
        actor = Actor("staff", manager.id, "manager", manager.office_id)
        clerk = Actor("staff", 99, "clerk", world.office)
        with pytest.raises(Forbidden):
            hours_admin.set_week(session, clerk, office_id=world.office, week={}, now=clock())
        with pytest.raises(InvalidInput):
            hours_admin.keep_open(session, actor, office_id=world.office, day=clock().date() - timedelta(days=1),
                                  note="", now=clock())
        with pytest.raises(InvalidInput):
            hours_admin.set_week(session, actor, office_id=world.office, week={"holiday": hours_admin.DayInput()},
                                 now=clock())
        session.rollback()
        assert "facts" not in session.info  # a refused change is never heard of
        hours_admin.set_week(session, actor, office_id=world.office, week={}, now=clock())  # every day closed
        assert session.get(Office, world.office).hours == {day: [] for day in WEEKDAYS}
        # The office's stations hear of it after commit: the kiosk refreshes its state at once.
        queued = session.info["facts"]
        assert [(f["event"], f["office"]) for f in queued] == [("office_changed", world.office)]
        assert queued[0]["data"]["settings"]["hours"] == {day: [] for day in WEEKDAYS}
        session.rollback()


@pytest.mark.browser
def test_a_manager_edits_a_weekday_and_adds_a_closure_in_chromium(server, page_factory, shot):
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    today_key, tomorrow_key = WEEKDAYS[today.weekday()], WEEKDAYS[(today.weekday() + 1) % 7]
    page = page_factory(1366, 768)
    manager_login(page, server.base)
    page.click("#nav-admin summary")  # the Administrasi menu
    page.click("#nav-admin a:text('Jam buka & libur')")
    page.click("#office-choice li:has-text('Kelurahan Uji') a:text('Jam buka')")
    assert "Atur jam buka" in page.inner_text("h1")
    row = f"tr[data-day={tomorrow_key}]"
    page.fill(f"{row} input[name={tomorrow_key}-open]", "08:00")
    page.fill(f"{row} input[name={tomorrow_key}-close]", "07:00")
    page.click("#hours-form button[type=submit]")
    assert "jam tutup harus setelah jam buka" in page.inner_text("#form-error")
    assert page.is_visible(f"{row}.row-error")
    shot(page, "hours-refused-1366", full_page=True)
    page.fill(f"{row} input[name={tomorrow_key}-close]", "15:30")
    page.fill(f"{row} input[name={tomorrow_key}-break-start] >> nth=0", "12:00")
    page.fill(f"{row} input[name={tomorrow_key}-break-end] >> nth=0", "13:00")
    page.check(f"tr[data-day={today_key}] input[name={today_key}-closed]")
    page.click("#hours-form button[type=submit]")
    assert page.is_visible("#saved")
    assert page.input_value(f"{row} input[name={tomorrow_key}-close]") == "15:30"
    assert page.is_checked(f"tr[data-day={today_key}] input[name={today_key}-closed]")
    shot(page, "hours-saved-1366", full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "hours-saved-1920")
    state = requests.get(f"{server.base}/kiosk/state", headers=bearer(server.kiosk), timeout=5).json()
    assert state["state"] == "closed" and state["opens_at"] is None  # today closed all day: the kiosk follows

    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("a:text('Hari libur dan tutup')")
    day = today + timedelta(days=2)
    page.fill("#add-closure input[name=first]", day.isoformat())
    page.fill("#add-closure input[name=reason]", "Rapat kerja tahunan")
    page.click("#add-closure button[type=submit]")
    assert page.is_visible("#saved")
    added = page.locator(f"tr[data-day='{day.isoformat()}'][data-kind=office]")
    assert "Rapat kerja tahunan" in added.inner_text()
    leave = page.locator("tr[data-kind=cuti_bersama]:has(form.keep-open)").first  # a cuti bersama to come
    if leave.count():
        leave_day = leave.get_attribute("data-day")
        leave.locator("input[name=note]").fill("Layanan KTP tetap jalan")
        leave.locator("form.keep-open button").click()
        assert "tetap buka" in page.locator(f"tr[data-day='{leave_day}']").inner_text()
    shot(page, "closures-1366", full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "closures-1920")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(page.url.split("?")[0] + "?lang=en")
    shot(page, "closures-en-1366")
