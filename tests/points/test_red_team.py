"""Red team: every way we know to farm points, played against the real API on one office day beside honest clerks.

One simulated morning (09:00-12:00 WIB) on the embedded database: a kiosk issues residents' tickets, two honest
clerks serve them at about the standard and their residents rate half of them, and each other clerk plays one
gaming strategy through the same REST calls and pages a clerk has (CSRF-checked `PageClient`s, one per person).
Each clerk is a generator of steps that says how many minutes its next step waits; the steps of all clerks run in
the order of the shared, hand-moved clock. At 12:00 the manager's leaderboard is read: no strategy may earn more
points per staffed hour than the honest clerks, and the anomaly flags name each strategy the rules only hold.
`pytest -s` prints the table (docs/points.md, "Red team").
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from ptsp.services.accounts import make_device_token
from ptsp.services.setup import load_setup
from tests.conftest import MONDAY_9_WIB, WEEKDAY_HOURS, bearer, login, make_test_app

END_MINUTES = 180  # 09:00 to 12:00 WIB
STRATEGIES = ("honest", "honest_too", "self_issue_quick", "self_issue_padded", "walk_in_for_colleague",
              "quick_service", "quick_ditolak", "no_show_farming", "transfer_ping_pong", "recall_loops",
              "cancel_and_reissue", "split_resident", "staff_browser_rating", "phone_rating")
HONEST_MINUTES = (9, 11, 10, 12, 8, 10)  # an honest clerk's service times around the 10-minute standard
RESIDENT_RATINGS = (4, 3, 4, 3, 2)  # what an honest clerk's residents answer, every second ticket


def setup_with_clerks() -> dict[str, Any]:
    clerks = [{"username": name, "name": name, "role": "clerk", "password": f"password-{name}", "supervisor": "sup"}
              for name in STRATEGIES + ("issuer",)]
    return {"offices": [{
        "slug": "kel-red", "name": "Kelurahan Merah", "kind": "kelurahan", "hours": WEEKDAY_HOURS,
        "services": [{"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 10},
                     {"prefix": "C", "name_id": "Surat", "name_en": "Letters", "standard_minutes": 5}],
        "counters": [{"number": n, "services": ["A", "C"]} for n in range(1, len(STRATEGIES) + 1)],
        "staff": [{"username": "sup", "name": "Supervisor", "role": "supervisor", "password": "password-sup"},
                  *clerks],
    }]}


class Day:
    """The office, its people and the shared clock."""

    def __init__(self, app, clock) -> None:
        from sqlalchemy import select

        from ptsp.models import Counter, Office, Service

        self.app, self.clock = app, clock
        session = app.extensions["ptsp.sessions"]()
        load_setup(session, setup_with_clerks())
        office = session.scalar(select(Office).where(Office.slug == "kel-red"))
        self.office = office.id
        self.kiosk = make_device_token(session, office=office, kind="kiosk", name="k", now=clock())[1]
        self.services = {s.prefix: s.id for s in session.scalars(select(Service).where(Service.office_id == office.id))}
        self.counters = {c.number: c.id for c in session.scalars(select(Counter).where(Counter.office_id == office.id))}
        session.commit()
        session.close()
        self.tokens: dict[int, str] = {}
        self.clients: dict[str, Any] = {}
        self.resident = app.test_client()  # a phone without any staff session

    def person(self, username: str) -> Any:
        if username not in self.clients:
            client = self.app.test_client()
            login(client, username, f"password-{username}")
            self.clients[username] = client
        return self.clients[username]

    def issue(self, client=None, headers=None, prefix="A", **extra: Any) -> dict[str, Any]:
        client = client or self.app.test_client()
        response = client.post("/api/v1/tickets", headers=headers,
                               json={"office": self.office, "service": self.services[prefix], **extra})
        assert response.status_code == 201, response.get_json()
        ticket = response.get_json()
        self.tokens[ticket["id"]] = ticket["status_url"].rsplit("/", 1)[1]
        return ticket

    def kiosk_issue(self, prefix="A") -> dict[str, Any]:
        return self.issue(headers=bearer(self.kiosk), prefix=prefix)

    def rate(self, ticket: dict[str, Any], quick: int, client=None) -> None:
        response = (client or self.resident).post(f"/t/{self.tokens[ticket['id']]}/nilai", data={"quick": quick})
        assert response.status_code in (303, 409), response.status_code


class Desk:
    """A clerk at their counter, through the API."""

    def __init__(self, day: Day, username: str, number: int) -> None:
        self.day, self.name = day, username
        self.client = day.person(username)
        self.counter = day.counters[number]
        assert self.client.post(f"/api/v1/counters/{self.counter}/open").status_code == 200

    def post(self, path: str, expect: int = 200, **body: Any) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code == expect, (path, response.get_json())
        return response.get_json()

    def call(self) -> dict[str, Any] | None:
        response = self.client.post(f"/api/v1/counters/{self.counter}/call-next")
        assert response.status_code in (200, 204), response.get_json()
        return response.get_json()["ticket"] if response.status_code == 200 else None

    def call_own(self, ticket: dict[str, Any]) -> None:
        self.post(f"/api/v1/counters/{self.counter}/call", ticket=ticket["id"], reason="warga di depan loket")

    def act(self, ticket: dict[str, Any], verb: str, **body: Any) -> Any:
        return self.post(f"/api/v1/tickets/{ticket['id']}/{verb}", **body)


Plan = Iterator[float]  # each step yields the minutes until its next one


def serve(desk: Desk, ticket: dict[str, Any], minutes: float, outcome: str = "selesai") -> Plan:
    desk.act(ticket, "start")
    yield minutes
    desk.act(ticket, "complete", outcome=outcome)
    yield 1  # the next resident walks up


def honest(desk: Desk, rated_by_residents: bool = True) -> Plan:
    for n in itertools.count():
        ticket = desk.call()
        if ticket is None:
            yield 1
            continue
        yield from serve(desk, ticket, HONEST_MINUTES[n % len(HONEST_MINUTES)])
        if rated_by_residents and n % 2 == 0:
            desk.day.rate(ticket, RESIDENT_RATINGS[(n // 2) % len(RESIDENT_RATINGS)])


def self_issue(desk: Desk, minutes: float) -> Plan:
    """The measured attack: a clerk issues tickets for themself and rates each 4 with its QR token from a phone."""
    while True:
        ticket = desk.day.issue(desk.client, walk_in=True)
        desk.call_own(ticket)
        yield from serve(desk, ticket, minutes)
        desk.day.rate(ticket, 4)


def walk_in_for_colleague(desk: Desk) -> Plan:
    """Collusion: a colleague issues 'walk-in' tickets that this clerk calls out of turn and serves quickly."""
    issuer = desk.day.person("issuer")
    while True:
        ticket = desk.day.issue(issuer, walk_in=True)
        desk.call_own(ticket)
        yield from serve(desk, ticket, 2.6)


def quick(desk: Desk, minutes: float, outcome: str = "selesai") -> Plan:
    while True:
        ticket = desk.call()
        if ticket is None:
            yield 1
            continue
        yield from serve(desk, ticket, minutes, outcome)


def no_show_farming(desk: Desk) -> Plan:
    """Mark two of three residents absent at once (no waiting for them), serve the third."""
    for n in itertools.count():
        ticket = desk.call()
        if ticket is None:
            yield 1
        elif n % 3:
            desk.act(ticket, "no-show")
            yield 0.5
        else:
            yield from serve(desk, ticket, HONEST_MINUTES[n % len(HONEST_MINUTES)])


def transfer_ping_pong(desk: Desk) -> Plan:
    """Serve half, transfer to another service of the same counter, call it back and finish there."""
    while True:
        ticket = desk.call()
        if ticket is None:
            yield 1
            continue
        desk.act(ticket, "start")
        yield 5
        desk.act(ticket, "transfer", service=desk.day.services["C"], reason="salah layanan")
        desk.call_own(ticket)
        yield from serve(desk, ticket, 5)


def recall_loops(desk: Desk) -> Plan:
    """Recall every resident until the limit sends them back to the line, then serve the next one."""
    while True:
        ticket = desk.call()
        if ticket is None:
            yield 1
            continue
        for _ in range(3):
            yield 0.5
            desk.post(f"/api/v1/counters/{desk.counter}/recall")
        ticket = desk.call()
        if ticket is not None:
            yield from serve(desk, ticket, 10)


def cancel_and_reissue(desk: Desk) -> Plan:
    """Cancel a waiting resident's ticket and issue a new one 'for the walk-in', served by oneself."""
    while True:
        snapshot = desk.client.get(f"/api/v1/offices/{desk.day.office}/queue").get_json()
        line = next(s["line"] for s in snapshot["services"] if s["id"] == desk.day.services["A"])
        if line:
            desk.act({"id": line[-1]}, "cancel")
        ticket = desk.day.issue(desk.client, walk_in=True)
        desk.call_own(ticket)
        yield from serve(desk, ticket, 10)


def split_resident(desk: Desk) -> Plan:
    """One resident's 10 minutes of business split over three 5-minute-standard tickets."""
    while True:
        parts = [desk.day.kiosk_issue("C") for _ in range(3)]
        for part in parts:
            desk.call_own(part)
            yield from serve(desk, part, 10 / 3)


def rating_myself(desk: Desk, from_staff_browser: bool) -> Plan:
    """Honest service, then the clerk rates each ticket 4 with its QR token before the resident can."""
    client = desk.client if from_staff_browser else desk.day.app.test_client()
    for n in itertools.count():
        ticket = desk.call()
        if ticket is None:
            yield 1
            continue
        yield from serve(desk, ticket, HONEST_MINUTES[n % len(HONEST_MINUTES)])
        desk.day.rate(ticket, 4, client)


PLANS: dict[str, Callable[[Desk], Plan]] = {
    "honest": honest,
    "honest_too": honest,
    "self_issue_quick": lambda d: self_issue(d, 2.6),  # 26 % of the standard, just above the hold line
    "self_issue_padded": lambda d: self_issue(d, 10),  # the whole standard, spent on one's own tickets
    "walk_in_for_colleague": walk_in_for_colleague,
    "quick_service": lambda d: quick(d, 2.6),
    "quick_ditolak": lambda d: quick(d, 1.3, "ditolak"),
    "no_show_farming": no_show_farming,
    "transfer_ping_pong": transfer_ping_pong,
    "recall_loops": recall_loops,
    "cancel_and_reissue": cancel_and_reissue,
    "split_resident": split_resident,
    "staff_browser_rating": lambda d: rating_myself(d, True),
    "phone_rating": lambda d: rating_myself(d, False),
}

# The strategies that the rules hold or cap without a flag being their only answer, and the flag each must raise.
EXPECTED_FLAGS = {
    "self_issue_quick": {"self_issued", "staff_issued", "short_services"},
    "self_issue_padded": {"self_issued", "staff_issued"},
    "walk_in_for_colleague": {"staff_issued", "short_services"},
    "quick_service": {"short_services"},
    "quick_ditolak": {"short_services"},
    "no_show_farming": {"no_shows"},
    "cancel_and_reissue": {"self_issued", "staff_issued"},
    "phone_rating": {"top_ratings"},
}


def kiosk_arrivals(day: Day) -> Plan:
    """Residents take a ticket every 20 seconds: the line never runs dry."""
    while True:
        day.kiosk_issue()
        yield 1 / 3


def play(day: Day) -> None:
    """Run every clerk's plan and the kiosk in the order of the shared clock until 12:00."""
    start = day.clock()
    desks = [Desk(day, name, number) for number, name in enumerate(STRATEGIES, 1)]
    plans: list[tuple[float, int, Plan]] = [(0.0, 0, kiosk_arrivals(day))]
    for _ in range(15):  # residents already waiting at opening
        day.kiosk_issue()
    plans += [(0.01 * n, n, PLANS[desk.name](desk)) for n, desk in enumerate(desks, 1)]
    heapq.heapify(plans)
    while plans:
        at, order, plan = heapq.heappop(plans)
        if at >= END_MINUTES:
            continue
        day.clock.now = start + timedelta(minutes=at)
        wait = next(plan)
        heapq.heappush(plans, (at + max(wait, 0.01), order, plan))
    day.clock.now = start + timedelta(minutes=END_MINUTES)


@pytest.fixture(scope="module")
def board(tmp_path_factory, sqlite_template):
    import shutil

    from tests.conftest import Clock

    path = tmp_path_factory.mktemp("red") / "red.db"
    shutil.copy(sqlite_template, path)
    clock = Clock(MONDAY_9_WIB)
    app = make_test_app(f"sqlite:///{path}", clock, RATELIMIT_LOGIN="100 per minute")  # 16 people log in at 09:00
    day = Day(app, clock)
    play(day)
    manager = app.test_client()
    login(manager, "sup", "password-sup")
    answer = manager.get(f"/api/v1/points/leaderboard?office={day.office}&period=today").get_json()
    rows = {r["name"]: r for r in answer["ranked"] + answer["unranked"]}
    with app.extensions["ptsp.read_sessions"]() as session:
        from ptsp.services.points import recompute

        report = recompute(session)
    yield rows, report, answer
    app.extensions["ptsp.engine"].dispose()


def test_print_the_table(board):
    rows, _report, _answer = board
    print(f"\n{'strategy':<22} {'done':>5} {'points':>7} {'held':>6} {'bonus':>5} {'hours':>5} {'pts/h':>6}  flags")
    for name in STRATEGIES:
        r = rows[name]
        print(f"{name:<22} {r['transactions']:>5} {r['points']:>7.1f} {r['held']:>6.1f} {r['bonuses']:>5} "
              f"{r['staffed_hours']:>5.2f} {r['per_hour'] or 0:>6.1f}  {','.join(f['code'] for f in r['flags'])}")
    assert set(STRATEGIES) <= set(rows)


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if not s.startswith("honest")])
def test_no_strategy_earns_more_per_staffed_hour_than_honest_work(board, strategy):
    rows, _report, _answer = board
    honest_rate = min(rows["honest"]["per_hour"], rows["honest_too"]["per_hour"])
    assert honest_rate > 40  # the honest clerks really worked: about the standard pace, less the walk-up minute
    assert (rows[strategy]["per_hour"] or 0) <= honest_rate, rows[strategy]


@pytest.mark.parametrize("strategy", sorted(EXPECTED_FLAGS))
def test_anomaly_flags_name_what_the_rules_only_hold_or_cap(board, strategy):
    rows, _report, _answer = board
    raised = {f["code"] for f in rows[strategy]["flags"]}
    assert EXPECTED_FLAGS[strategy] <= raised, rows[strategy]["flags"]
    assert all(f["text"] for f in rows[strategy]["flags"])


def test_honest_clerks_raise_no_flag(board):
    rows, _report, _answer = board
    assert rows["honest"]["flags"] == [] and rows["honest_too"]["flags"] == []


def test_the_measured_attack_is_held_for_a_supervisor(board):
    rows, _report, _answer = board
    attack = rows["self_issue_quick"]
    assert attack["points"] == 0 and attack["held"] > 0 and attack["bonuses"] == 0


def test_recompute_reproduces_the_red_team_ledger_exactly(board):
    _rows, report, _answer = board
    assert report.matches, [d.describe() for d in report.differences[:5]]
    assert report.lines > 300

