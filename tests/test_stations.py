"""Counter and display stations on the server side: idempotent commands, presence, pages, sound."""

from __future__ import annotations

import io
import uuid
import wave

import pytest

from ptsp.extensions import socketio
from tests.conftest import bearer, login, pair
from tests.test_realtime import events, issue


def counter_socket(app, client, world, username="clerk1"):
    login(client, username)
    sock = socketio.test_client(app, flask_test_client=client, auth={"office": world.office})
    assert sock.is_connected()
    sock.emit("command", {"action": "open", "counter": world.counters[1]}, callback=True)
    return sock


def test_a_command_repeated_with_its_request_id_runs_once_and_answers_the_same(app, client, world):
    first, second = issue(client, world), issue(client, world)
    sock = counter_socket(app, client, world)
    command = {"action": "call_next", "counter": world.counters[1], "request_id": str(uuid.uuid4())}
    answers = [sock.emit("command", command, callback=True) for _ in range(3)]
    assert answers[0]["ticket"]["id"] == first["id"]
    assert answers[1] == answers[0] == answers[2]
    assert client.get(f"/api/v1/tickets/{second['id']}").get_json()["status"] == "waiting"
    called = [e for e in events(sock) if e["name"] == "ticket_called"]
    assert len(called) == 1


def test_a_request_id_is_the_same_command_over_rest(client, world):
    ticket = issue(client, world)
    login(client, "clerk1")
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    body = {"request_id": str(uuid.uuid4())}
    one = client.post(f"/api/v1/counters/{world.counters[1]}/recall", json=body)
    assert one.status_code == 409  # nothing called yet: refusals are not remembered
    client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    two = client.post(f"/api/v1/counters/{world.counters[1]}/recall", json=body)
    three = client.post(f"/api/v1/counters/{world.counters[1]}/recall", json=body)
    assert two.status_code == three.status_code == 200
    assert two.get_json() == three.get_json()
    assert two.get_json()["ticket"]["id"] == ticket["id"] and two.get_json()["ticket"]["call_count"] == 2


def test_a_bad_or_borrowed_request_id_is_refused(app, client, world):
    issue(client, world)
    sock = counter_socket(app, client, world)
    bad = sock.emit("command", {"action": "call_next", "counter": world.counters[1], "request_id": "twice"},
                    callback=True)
    assert bad["error"] == "invalid_input" and "UUID" in bad["message"]
    request_id = str(uuid.uuid4())
    assert sock.emit("command", {"action": "call_next", "counter": world.counters[1], "request_id": request_id},
                     callback=True)["status"] == 200
    other = app.test_client()
    login(other, "clerk2")
    reply = other.post(f"/api/v1/counters/{world.counters[2]}/open", json={"request_id": request_id})
    assert reply.status_code == 403


def test_ticket_called_carries_the_spoken_announcement_and_recall_repeats_it(app, client, world):
    display = socketio.test_client(app, auth={"token": world.display})
    issue(client, world)
    login(client, "clerk1")
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    client.post(f"/api/v1/counters/{world.counters[1]}/recall")
    called = [e["args"][0] for e in events(display, "ticket_called")]
    assert [c["announcement"] for c in called] == [
        "Nomor antrian A nol nol satu, silakan ke loket satu",
        "Panggilan ulang, nomor antrian A nol nol satu, silakan ke loket satu",
    ]


def test_displays_report_heartbeats_and_acknowledged_calls_to_managers(app, client, world, clock):
    display = socketio.test_client(app, auth={"token": world.display})
    assert display.emit("heartbeat", {"seq": 4}, callback=True)["status"] == 200
    assert display.emit("call_ack", {"ticket": 12, "seq": 5}, callback=True) == {"status": 200}
    assert display.emit("heartbeat", {"seq": "x"}, callback=True)["error"] == "invalid_input"
    assert display.emit("call_ack", {"ticket": 1}, callback=True)["error"] == "invalid_input"
    login(client, "manager")
    [seen] = client.get(f"/api/v1/offices/{world.office}/displays").get_json()
    assert seen["connected"] is True and seen["last_seq"] == 5 and seen["last_ack_ticket"] == 12
    clock.advance(minutes=2)
    assert client.get(f"/api/v1/offices/{world.office}/displays").get_json()[0]["connected"] is False
    clock.advance(minutes=-2)
    display.disconnect()
    assert client.get(f"/api/v1/offices/{world.office}/displays").get_json()[0]["connected"] is False


def test_only_displays_acknowledge_calls_and_clerks_of_other_offices_see_no_displays(app, client, world):
    sock = counter_socket(app, client, world)
    assert sock.emit("call_ack", {"ticket": 1, "seq": 1}, callback=True)["error"] == "forbidden"
    other = app.test_client()
    login(other, "other")
    assert other.get(f"/api/v1/offices/{world.office}/displays").status_code == 403


def test_counter_login_form_refuses_wrong_passwords_and_opens_the_screen(client, world):
    assert client.get("/counter/").headers["Location"].endswith("/counter/login")
    assert client.get("/counter/state").status_code == 401
    wrong = client.post("/counter/login", data={"username": "clerk1", "password": "nope"})
    assert wrong.status_code == 401 and "salah" in wrong.get_data(as_text=True)
    assert client.post("/counter/login", data={"username": "clerk1"}).status_code == 422
    right = client.post("/counter/login", data={"username": "clerk1", "password": "password-1"})
    assert right.status_code == 302 and right.headers["Location"].endswith("/counter/")
    page = client.get("/counter/").get_data(as_text=True)
    assert "Panggil berikutnya" in page and "/static/vendor/socket.io.min.js" in page and "//cdn" not in page


def test_counter_state_lists_waiting_tickets_in_order_with_priority_and_the_clerks_day(client, world, clock):
    regular = issue(client, world)
    elderly = client.post("/api/v1/tickets", headers=bearer(world.kiosk), json={
        "office": world.office, "service": world.services["A"], "priority": "elderly"}).get_json()
    login(client, "clerk1")
    state = client.get("/counter/state").get_json()
    line = state["waiting"][str(world.services["A"])]
    assert [(t["code"], t["priority"]) for t in line] == [(elderly["code"], "elderly"), (regular["code"], "regular")]
    assert state["figures"]["served"] == 0 and state["figures"]["points"] == 0.0 and state["figures"]["held"] == 0.0
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    for minutes in (4, 8):
        ticket = client.post(f"/api/v1/counters/{world.counters[1]}/call-next").get_json()["ticket"]
        client.post(f"/api/v1/tickets/{ticket['id']}/start")
        clock.advance(minutes=minutes)
        client.post(f"/api/v1/tickets/{ticket['id']}/complete", json={"outcome": "selesai"})
    figures = client.get("/counter/state").get_json()["figures"]
    assert figures["served"] == 2 and figures["mean_minutes"] == 6.0


def test_display_page_needs_a_paired_display(client, world):
    assert client.get("/display/").status_code == 401
    pair(client, world.kiosk, "kiosk")
    assert client.get("/display/").status_code == 401
    pair(client, world.display, "display")
    assert client.get("/display/?services=a;b").status_code == 422
    page = client.get("/display/?services=A,B")
    assert page.status_code == 200 and '"services": ["A", "B"]' in page.get_data(as_text=True)


def test_chime_is_a_short_valid_wav():
    from display.sound import chime_wav

    with wave.open(io.BytesIO(chime_wav())) as audio:
        seconds = audio.getnframes() / audio.getframerate()
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
        frames = audio.readframes(audio.getnframes())
    assert 0.5 < seconds < 1.5
    assert max(abs(int.from_bytes(frames[i:i + 2], "little", signed=True)) for i in range(0, 4000, 2)) > 5000


def test_speech_audio_needs_a_token_and_sane_text(client, world):
    from display.sound import espeak_available

    assert client.get("/display/speech.wav?text=halo").status_code == 401
    pair(client, world.display, "display")
    assert client.get("/display/speech.wav?text=<script>").status_code == 422
    spoken = client.get("/display/speech.wav?text=Nomor antrian A nol nol satu")
    if espeak_available():
        assert spoken.status_code == 200 and spoken.data[:4] == b"RIFF"
        import io
        import wave

        with wave.open(io.BytesIO(spoken.data)) as audio:
            assert audio.getnframes() / audio.getframerate() > 1.0  # a real spoken sentence, not a click
    else:
        assert spoken.status_code == 404


@pytest.mark.parametrize("path", ["/static/vendor/socket.io.min.js", "/static/live.js",
                                  "/counter/static/counter/counter.js", "/display/static/display/display.js",
                                  "/display/chime.wav"])
def test_station_assets_are_served_locally(client, path):
    response = client.get(path)
    assert response.status_code == 200 and len(response.data) > 500
    response.close()
