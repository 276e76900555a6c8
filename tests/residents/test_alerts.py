"""Alerts that reach a closed status page: at the office's position and on a call, once each, to every
subscription of the ticket; subscriptions deleted when the ticket ends (docs/alerts.md)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from ptsp import alert_runner
from ptsp.discipline_webhook import sign
from ptsp.models import AlertSent, AlertSubscription, Ticket
from tests.residents.conftest import GATEWAY_SECRET
from tests.residents.loopback import Browser, verify_vapid


def gateway_bodies(residents) -> list[dict]:
    for request in residents.gateway.requests:
        assert request.headers["x-ptsp-signature"] == sign(GATEWAY_SECRET, request.body)
    return [json.loads(r.body) for r in residents.gateway.requests]


def count(app, model, **where) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def test_position_and_call_alerts_go_out_once_each_by_push_and_by_the_gateway(residents):
    first, second, third, mine = (residents.issue("A") for _ in range(4))
    browser = residents.subscribe_browser(mine)
    assert residents.subscribe(mine, phone="0812-3456-7890", consent=True).status_code == 201
    counter = residents.clerk(1)

    assert residents.call_next(counter)["id"] == first["ticket"]["id"]  # now 2 ahead of mine: the office's N
    residents.drain()
    [position] = gateway_bodies(residents)
    assert (position["event"], position["people_ahead"], position["ticket"], position["to"]) == \
        ("position", 2, mine["ticket"]["code"], "+6281234567890")
    assert position["text"] == f"Nomor antrian {mine['ticket']['code']}: 2 orang lagi sebelum Anda di Kelurahan Uji."
    [pushed] = residents.push_service.requests
    verify_vapid(pushed, residents.push_service.url)
    assert browser.decrypt(pushed.body)["key"] == position["key"]

    residents.finish(first["ticket"]["id"])
    assert residents.call_next(counter)["id"] == second["ticket"]["id"]  # 1 ahead: no second position alert
    residents.drain()
    assert len(residents.gateway.requests) == 1 and len(residents.push_service.requests) == 1

    residents.finish(second["ticket"]["id"])
    residents.call_next(counter)
    residents.finish(third["ticket"]["id"])
    called = residents.call_next(counter)
    assert called["id"] == mine["ticket"]["id"]
    residents.drain()
    bodies = gateway_bodies(residents)
    assert [b["event"] for b in bodies] == ["position", "called"]
    assert bodies[1]["counter"] == 1 and bodies[1]["text"] == \
        f"Nomor antrian {mine['ticket']['code']} dipanggil ke loket 1 (Kelurahan Uji)."
    assert browser.decrypt(residents.push_service.requests[-1].body)["event"] == "called"
    assert len(residents.push_service.requests) == 2


def test_a_fact_seen_again_sends_nothing_again(residents):
    mine = residents.issue("A")
    residents.subscribe_browser(mine)
    counter = residents.clerk(1)  # the counter opens: nobody ahead, "you are next"
    residents.drain()
    called = residents.call_next(counter)
    residents.drain()
    assert len(residents.push_service.requests) == 2  # "you are next", then the call
    with residents.app.app_context():
        again = {"event": "ticket_called", "office": residents.world.office, "seq": 99, "data": {"ticket": called}}
        opened = {"event": "counter_changed", "office": residents.world.office, "seq": 98,
                  "data": {"counter": {"services": [residents.world.services["A"]]}, "waiting": {}}}
        assert alert_runner.process([again, opened, again]) == 0
    assert len(residents.push_service.requests) == 2
    assert residents.client.post(f"/api/v1/counters/{counter}/recall").status_code == 200
    residents.drain()
    assert len(residents.push_service.requests) == 3  # a recall is a new call: one more alert


def test_subscriptions_and_marks_are_deleted_when_the_ticket_ends(residents):
    mine, other = residents.issue("A"), residents.issue("A")
    residents.subscribe_browser(mine)
    residents.subscribe(mine, phone="+62 812 3456 7890", consent=True)
    residents.subscribe_browser(other, "o")
    counter = residents.clerk(1)
    residents.call_next(counter)
    residents.drain()
    assert count(residents.app, AlertSubscription, ticket_id=mine["ticket"]["id"]) == 2
    assert count(residents.app, AlertSent, ticket_id=mine["ticket"]["id"]) > 0
    residents.finish(mine["ticket"]["id"])
    residents.drain()
    assert count(residents.app, AlertSubscription, ticket_id=mine["ticket"]["id"]) == 0
    assert count(residents.app, AlertSent, ticket_id=mine["ticket"]["id"]) == 0
    assert count(residents.app, AlertSubscription, ticket_id=other["ticket"]["id"]) == 1  # still waiting


def test_the_minute_round_forgets_tickets_that_ended_without_a_fact_this_process_saw(residents):
    mine = residents.issue("A")
    residents.subscribe_browser(mine)
    with residents.app.extensions["ptsp.sessions"]() as session:
        session.get(Ticket, mine["ticket"]["id"]).status = "expired"  # as an expiry in another process would
        session.commit()
    with residents.app.app_context():
        assert alert_runner.forget_round() == 1
        assert alert_runner.forget_round() == 0


def test_a_push_service_that_says_gone_loses_the_subscription(residents):
    mine = residents.issue("A")
    residents.subscribe_browser(mine)
    residents.push_service.statuses = [410]
    counter = residents.clerk(1)
    residents.call_next(counter)
    residents.drain()
    assert count(residents.app, AlertSubscription, ticket_id=mine["ticket"]["id"]) == 0


def test_no_alert_without_a_subscription_and_none_to_another_ticket(residents):
    first, mine = residents.issue("A"), residents.issue("A")
    residents.subscribe(mine, phone="081234567890", consent=True)
    counter = residents.clerk(1)
    residents.call_next(counter)  # the first ticket is called: it has no subscription
    residents.drain()
    bodies = gateway_bodies(residents)
    assert [b["event"] for b in bodies] == ["position"] and bodies[0]["ticket"] == mine["ticket"]["code"]
    assert first["ticket"]["code"] not in json.dumps(bodies)


def test_a_subscription_is_refused_with_a_reason_and_stores_nothing(residents):
    mine = residents.issue("A")
    token = mine["status_url"].rsplit("/", 1)[1]
    refusals = [
        ({"phone": "0812345"}, 422),  # no consent
        ({"phone": "12345678", "consent": True}, 422),  # not a mobile number
        ({}, 422),
        ({"push": {"endpoint": "https://push.example/x", "keys": {"p256dh": "x", "auth": "y"}}}, 422),
        ({"push": {"endpoint": "ftp://push.example/abcdef", "keys": {"p256dh": "B" * 87, "auth": "a" * 22}}}, 422),
        ({"phone": "081234567890", "consent": "yes"}, 422),
    ]
    for body, status in refusals:
        answer = residents.client.post(f"/t/{token}/alerts", json=body)
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.get_json()["message"]
    residents.app.config["PUSH_ALLOW_LOCAL"] = False
    loopback = {"endpoint": "http://127.0.0.1:9/x", "keys": {"p256dh": "B" * 87, "auth": "a" * 22}}
    assert residents.client.post(f"/t/{token}/alerts", json={"push": loopback}).status_code == 422
    assert residents.client.post("/t/not-a-token/alerts", json={"phone": "081234567890", "consent": True}
                                 ).status_code == 404
    assert count(residents.app, AlertSubscription) == 0


def test_a_ticket_that_ended_cannot_subscribe_and_phone_alerts_need_a_gateway(residents):
    mine = residents.issue("A")
    residents.office(alert_webhook_url=None)
    answer = residents.subscribe(mine, phone="081234567890", consent=True)
    assert answer.status_code == 422 and "WhatsApp" in answer.get_json()["message"]
    counter = residents.clerk(1)
    residents.call_next(counter)
    residents.finish(mine["ticket"]["id"])
    answer = residents.subscribe(mine, push={"endpoint": f"{residents.push_service.url}/p",
                                             "keys": {"p256dh": "B" * 87, "auth": "a" * 22}})
    assert answer.status_code == 409
    assert count(residents.app, AlertSubscription) == 0


def test_unsubscribing_deletes_every_subscription_of_the_ticket(residents):
    mine = residents.issue("A")
    residents.subscribe_browser(mine)
    residents.subscribe(mine, phone="081234567890", consent=True)
    token = mine["status_url"].rsplit("/", 1)[1]
    answer = residents.client.delete(f"/t/{token}/alerts")
    assert answer.status_code == 200 and answer.get_json()["push"] is False and answer.get_json()["phone"] is False
    assert count(residents.app, AlertSubscription) == 0


def test_the_status_page_offers_the_alerts_and_the_worker_and_key_are_served_locally(residents):
    mine = residents.issue("A")
    page = residents.client.get("/t/" + mine["status_url"].rsplit("/", 1)[1])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="notify"' in html and 'id="consent"' in html
    worker = residents.client.get("/t/alerts-sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/t/"
    key = residents.client.get("/t/alerts-key").get_json()["key"]
    assert len(key) == 87 and residents.client.get("/t/alerts-key").get_json()["key"] == key


def test_the_sending_task_ends_when_idle_and_the_next_fact_starts_it_again(residents, monkeypatch):
    import time

    monkeypatch.setattr(alert_runner, "IDLE_SECONDS", 0.1)
    mine = residents.issue("A")
    residents.subscribe_browser(mine)
    counter = residents.clerk(1)
    residents.drain()
    worker = residents.app.extensions["ptsp.alerts"]
    deadline = time.monotonic() + 5
    while worker.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.started is False
    residents.call_next(counter)
    residents.drain()
    assert [residents.push_service.requests[-1].path] == ["/push/b"] and len(residents.push_service.requests) == 2


def test_subscribing_is_limited_per_ticket_with_a_reason_and_another_ticket_is_not_held_back(residents):
    """Each new subscription locks the office's fact sequence row for a moment (migration 0028): whoever holds a
    ticket's QR code may not keep doing it (PTSP_RATELIMIT_ALERTS, 10 per 10 minutes by default)."""
    mine, other = residents.issue("A"), residents.issue("A")
    token = mine["status_url"].rsplit("/", 1)[1]
    for n in range(5):  # subscribe and forget, again and again (at most 4 subscriptions are kept at once)
        answer = residents.subscribe(mine, push=Browser().subscription(f"{residents.push_service.url}/push/{n}"))
        assert answer.status_code == 201, answer.get_json()
        assert residents.client.delete(f"/t/{token}/alerts").status_code == 200
    refused = residents.subscribe(mine, push=Browser().subscription(f"{residents.push_service.url}/push/x"))
    assert refused.status_code == 429 and refused.get_json()["error"] and refused.get_json()["message"]
    assert count(residents.app, AlertSubscription, ticket_id=mine["ticket"]["id"]) == 0  # nothing stored
    assert residents.subscribe(other, phone="081234567890", consent=True).status_code == 201
