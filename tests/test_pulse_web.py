"""The respondent page through a real server: `python -m cxchange pulse serve` as a subprocess, spoken to
over HTTP as a phone would (a cookie jar per phone): the cookie, refusals that store nothing, hostile input
kept as text and never echoed as markup, the size and rate limits, a closed pulse, every other address,
the headers. And once through `streamlit run server.py`, which serves the form beside the app."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import mark_own
from starlette.testclient import TestClient
from test_browser import START_TIMEOUT_S, free_port, serving, stop

from cxchange import pulse_web, pulses, services, store

ROOT = Path(__file__).resolve().parent.parent
WAVE = "Live pulse check"
SHORT = {"AW1": "4", "DE1": "4", "KN1": "3", "AB1": "2", "RE1": "5"}
HOSTILE = "<script>alert(1)</script>"


@contextlib.contextmanager
def pulse_serving(db_path: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`python -m cxchange pulse serve` on a free port of 127.0.0.1 over `db_path` (with `env` added to its
    environment); always stopped after."""
    for _ in range(3):  # another process may take the free port first
        port = free_port()
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "cxchange", "pulse", "serve", "--db", str(db_path), "--host", "127.0.0.1",
                 "--port", str(port)],
                cwd=ROOT, env=os.environ | (env or {}), stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(f"{url}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)  # polling the server's start, not a wait in a test
        if process.poll() is None:
            break
    else:
        raise RuntimeError(f"pulse serve did not start:\n{log.read_text(errors='replace')}")
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def site(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The form served alone over this module's own workspace (a copy of the demo marked as the customer's
    own) with an empty wave to pulse; the url and the file."""
    path = tmp_path_factory.mktemp("pulse-web") / "own.db"
    path.write_bytes(demo_file.read_bytes())
    mark_own(path)
    db = store.open_db(path)
    services.add_wave(db, "Customer First", WAVE, "2026-12-01")
    db.close()
    with pulse_serving(path, path.with_name("pulse-serve.log")) as url:
        yield url, path


@contextlib.contextmanager
def workspace(path: Path):
    db = store.open_db(path)
    try:
        yield db
    finally:
        db.close()


def open_pulse(path: Path, teams=("Stores West",), **options) -> dict:
    """A pulse opened now on the module's wave (the server checks it against the real clock)."""
    with workspace(path) as db:
        wave_id = int(store.org.waves(db).set_index("name").loc[WAVE, "id"])
        pulse = services.open_pulse(db, wave_id, list(teams), **options)
        return pulse | {"team_ids": store.pulses.pulse_teams(db, int(pulse["id"]))}


def stored(path: Path, pulse: dict) -> list[dict]:
    with workspace(path) as db:
        return list(db.query("SELECT * FROM responses WHERE batch_id = :b ORDER BY id", {"b": int(pulse["batch_id"])}))


def phone(url: str) -> httpx.Client:
    """A phone: its own cookie jar, no redirects followed (the tests look at each answer)."""
    return httpx.Client(base_url=url, timeout=30, follow_redirects=False)


def team_of(pulse: dict, name: str = "Stores West") -> str:
    return str({team: team_id for team_id, team in pulse["team_ids"].items()}[name])


def answered(pulse: dict, **more: str) -> dict[str, str]:
    return {"team": team_of(pulse)} | SHORT | more


def main_text(response: httpx.Response) -> str:
    """What the page says (its <main>, entities read), without the style sheet."""
    return html.unescape(re.search(r"<main>(.*)</main>", response.text, re.S).group(1))


# The form and its cookie ----------------------------------------------------------------------


def test_the_form_sets_a_cookie_for_this_pulse_only_and_an_answer_lands(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        form = client.get(f"/pulse/{pulse['token']}")
        assert form.status_code == 200
        cookie = form.headers["set-cookie"]
        assert cookie.startswith("cxpulse=")
        assert f"Path=/pulse/{pulse['token']}" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Stores West" in main_text(form)
        assert main_text(form).count("Strongly disagree") == 5
        assert "<script" not in form.text

        sent = client.post(f"/pulse/{pulse['token']}", data=answered(pulse))
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/pulse/{pulse['token']}?sent=1"
        (row,) = stored(path, pulse)
        assert json.loads(row["answers"]) == {code: int(value) for code, value in SHORT.items()}

        again = client.get(f"/pulse/{pulse['token']}")
        assert "You have answered already. Sending again replaces your answer." in main_text(again)


def test_the_thank_you_shows_no_figures(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        for _device in range(6):
            with phone(url) as other:
                other.get(f"/pulse/{pulse['token']}")
                other.post(f"/pulse/{pulse['token']}", data=answered(pulse))
        thanks = client.post(f"/pulse/{pulse['token']}", data=answered(pulse), follow_redirects=True)
    assert thanks.status_code == 200
    text = main_text(thanks)
    assert "Thank you" in text
    assert "Your answers are in." in text
    assert not re.search(r"\d", re.sub(r"<[^>]*>", "", text))  # no count, no mean, no share
    assert len(stored(path, pulse)) == 7


def test_a_link_for_one_team_fixes_the_team_and_a_hostile_team_in_it_is_ignored(site):
    url, path = site
    pulse = open_pulse(path, ("Stores West", "Contact Centre"))
    with phone(url) as client:
        fixed = client.get(f"/pulse/{pulse['token']}", params={"team": team_of(pulse, "Contact Centre")})
        assert "Team: <strong>Contact Centre</strong>" in fixed.text
        assert "name='team' value=" in fixed.text
        assert "type='radio' name='team'" not in fixed.text
        hostile = client.get(f"/pulse/{pulse['token']}", params={"team": f"'>{HOSTILE}"})
        assert hostile.status_code == 200
        assert HOSTILE not in hostile.text
        assert main_text(hostile).count("type='radio' name='team'") == 2  # the choice, as with no team


# Refusals store nothing -----------------------------------------------------------------------


def test_an_answer_without_the_cookie_is_refused_with_a_sentence_and_nothing_stored(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        refused = client.post(f"/pulse/{pulse['token']}", data=answered(pulse))
    assert refused.status_code == 400
    assert "Your browser did not keep this page's cookie, so the answer could not be counted once." in main_text(
        refused
    )
    assert stored(path, pulse) == []


def test_a_hostile_comment_is_stored_as_text_and_echoed_only_escaped(site):
    url, path = site
    pulse = open_pulse(path, comment_question="What would help?")
    hostile = f"</textarea>{HOSTILE}"
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        incomplete = answered(pulse, comment=hostile)
        del incomplete["RE1"]
        refused = client.post(f"/pulse/{pulse['token']}", data=incomplete)
        assert refused.status_code == 400
        assert "Please answer every statement: 1 statement still open" in refused.text
        assert HOSTILE not in refused.text
        assert "<script" not in refused.text
        assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in refused.text  # kept for a resend
        assert "value='4' checked" in refused.text  # the answers given are kept too
        assert stored(path, pulse) == []

        sent = client.post(f"/pulse/{pulse['token']}", data=answered(pulse, comment=hostile))
        assert sent.status_code == 303
    (row,) = stored(path, pulse)
    assert row["comment"] == hostile


@pytest.mark.parametrize(
    "fields",
    [
        {"team": f"1{HOSTILE}"},
        {"team": "1 OR 1=1"},
        {"team": "99999"},
        {"AW1": HOSTILE},
        {"AW1": "4'; DROP TABLE responses; --"},
        {"KN1": "6"},
        {"KN1": "3.5"},
    ],
)
def test_hostile_or_wrong_values_are_refused_escaped_and_store_nothing(site, fields):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        refused = client.post(f"/pulse/{pulse['token']}", data=answered(pulse) | fields)
    assert refused.status_code == 400
    assert "class='problem'" in refused.text
    assert HOSTILE not in refused.text
    assert stored(path, pulse) == []
    with workspace(path) as db:
        assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] > 0  # the table is still there


def test_fields_the_form_does_not_ask_are_ignored_and_never_echoed(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        hostile_codes = {HOSTILE: "5", "OC1": "5", "AW2": "1", "<img src=x onerror=alert(1)>": "4"}
        incomplete = answered(pulse) | hostile_codes
        del incomplete["AW1"]
        refused = client.post(f"/pulse/{pulse['token']}", data=incomplete)
        assert refused.status_code == 400
        assert HOSTILE not in refused.text
        assert "onerror" not in refused.text
        sent = client.post(f"/pulse/{pulse['token']}", data=answered(pulse) | hostile_codes)
        assert sent.status_code == 303
    (row,) = stored(path, pulse)
    assert set(json.loads(row["answers"])) == set(SHORT)


def test_a_body_over_the_size_limit_is_refused_and_stores_nothing(site):
    url, path = site
    pulse = open_pulse(path, comment_question="What would help?")
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        too_big = answered(pulse, comment="x" * pulse_web.MAX_BODY)
        refused = client.post(f"/pulse/{pulse['token']}", data=too_big)
        assert refused.status_code == 413
        assert "That answer is too long to send." in refused.text

        def chunks() -> Iterator[bytes]:  # no Content-Length: the size is known only by reading
            yield "&".join(f"{code}={value}" for code, value in answered(pulse).items()).encode()
            for _ in range(64):
                yield b"&comment=" + b"y" * 4096

        streamed = client.post(
            f"/pulse/{pulse['token']}", content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert streamed.status_code == 413
    assert stored(path, pulse) == []


def test_a_form_sent_back_to_complete_is_taken_at_once_when_completed(site):
    """Sending a form with a statement open is no answer: completing it right away is not refused as "your
    answer just arrived" (it had not), nor does it use up the link's answers a minute."""
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        incomplete = answered(pulse)
        del incomplete["DE1"]
        assert client.post(f"/pulse/{pulse['token']}", data=incomplete).status_code == 400
        completed = client.post(f"/pulse/{pulse['token']}", data=answered(pulse))
        assert completed.status_code == 303, main_text(completed)
    assert len(stored(path, pulse)) == 1


# The limits of one link -----------------------------------------------------------------------


def test_the_link_takes_at_most_its_answers_a_minute_and_says_so(site):
    url, path = site
    with workspace(path) as db:
        services.save_settings(db, {"pulse_answers_per_minute": 10})
    try:
        pulse = open_pulse(path)
        statuses = []
        for _ in range(11):
            with phone(url) as client:
                client.get(f"/pulse/{pulse['token']}")
                statuses.append(client.post(f"/pulse/{pulse['token']}", data=answered(pulse)))
    finally:
        with workspace(path) as db:
            services.save_settings(db, {"pulse_answers_per_minute": 300})
    assert [response.status_code for response in statuses] == [303] * 10 + [429]
    assert "This pulse is taking many answers at once (more than 10 a minute)." in statuses[-1].text
    assert "Please send yours again in" in statuses[-1].text
    assert len(stored(path, pulse)) == 10


def test_one_phone_sending_twice_at_once_is_asked_to_wait_then_replaces_its_answer(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        assert client.post(f"/pulse/{pulse['token']}", data=answered(pulse, AB1="1")).status_code == 303
        hurried = client.post(f"/pulse/{pulse['token']}", data=answered(pulse, AB1="5"))
        assert hurried.status_code == 429
        assert "Your answer just arrived. To change it, wait" in hurried.text
        time.sleep(pulses.RateLimit(1).device_seconds)  # the wait a person would make, not a measured time
        assert client.post(f"/pulse/{pulse['token']}", data=answered(pulse, AB1="5")).status_code == 303
    (row,) = stored(path, pulse)
    assert json.loads(row["answers"])["AB1"] == 5


def test_a_busy_file_gives_the_form_back_filled_in_and_the_answer_goes_in_when_sent_again(site, tmp_path):
    """Where another writer holds the file past the busy timeout, nothing is stored, the phone keeps what it
    chose, and sending again at once is taken (not refused as "your answer just arrived")."""
    _, path = site
    pulse = open_pulse(path)
    with pulse_serving(path, tmp_path / "busy.log", {"CXCHANGE_BUSY_TIMEOUT_S": "0.5"}) as url, phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # an import, say, holding the write lock
        try:
            busy = client.post(f"/pulse/{pulse['token']}", data=answered(pulse, AB1="1"))
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert busy.status_code == 503
        assert "Many answers are arriving at once. Please send yours again in a moment." in main_text(busy)
        assert "name='AB1' value='1' checked" in busy.text
        assert stored(path, pulse) == []
        again = client.post(f"/pulse/{pulse['token']}", data=answered(pulse, AB1="1"))
        assert again.status_code == 303, main_text(again)
    (row,) = stored(path, pulse)
    assert json.loads(row["answers"])["AB1"] == 1


# When the link stops working ------------------------------------------------------------------


def test_a_closed_pulse_answers_410_with_the_sentence(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}")
        with workspace(path) as db:
            services.close_pulse(db, int(pulse["id"]))
        for response in (
            client.get(f"/pulse/{pulse['token']}"),
            client.post(f"/pulse/{pulse['token']}", data=answered(pulse)),
            client.get(f"/pulse/{pulse['token']}", params={"sent": "1"}),
        ):
            assert response.status_code == 410
            assert "This pulse has closed: it takes no more answers. Thank you for your time." in response.text
            assert "<form" not in response.text
    assert stored(path, pulse) == []


def test_a_team_archived_since_the_pulse_opened_is_refused_with_a_sentence(site):
    url, path = site
    pulse = open_pulse(path, ("Stores South", "Stores North"))  # teams no other test here asks
    with workspace(path) as db:
        services.save_teams(db, [{"row": "Row 1", "id": int(team_of(pulse, "Stores North")), "archived": True}])
    with phone(url) as client:
        form = client.get(f"/pulse/{pulse['token']}")
        assert "Stores South" in main_text(form)
        assert "Stores North" not in main_text(form)  # the team choice offers the current teams only
        refused = client.post(f"/pulse/{pulse['token']}", data={"team": team_of(pulse, "Stores North")} | SHORT)
        assert refused.status_code == 400
        assert (
            "Stores North has been archived since this pulse opened, so the pulse takes no more answers for it."
            in main_text(refused)
        )
        with workspace(path) as db:
            services.save_teams(db, [{"row": "Row 1", "id": int(team_of(pulse, "Stores South")), "archived": True}])
        for response in (
            client.get(f"/pulse/{pulse['token']}"),
            client.post(f"/pulse/{pulse['token']}", data={"team": team_of(pulse, "Stores South")} | SHORT),
        ):
            assert response.status_code == 410
            assert "This pulse's teams have been archived since it opened, so it takes no more answers." in main_text(
                response
            )
            assert "<form" not in response.text
    assert stored(path, pulse) == []


def test_a_token_no_pulse_has_opens_nothing(site):
    url, _ = site
    with phone(url) as client:
        for token in ("nope", "x" * 300, "%3Cscript%3E"):
            response = client.get(f"/pulse/{token}")
            assert response.status_code == 410
            assert "This link does not open a pulse. Ask the facilitator for the current link." in response.text
            assert "<script" not in response.text


@pytest.mark.parametrize(
    "address",
    ["/", "/settings", "/pulse", "/pulse/", "/pulse/TOKEN/x", "/_stcore/health", "/static/js/main.js",
     "/media/x.png", "/app/static/x", "/?pulse=TOKEN"],
)  # fmt: skip
def test_every_other_address_answers_404_with_nothing_of_the_app(site, address):
    url, path = site
    pulse = open_pulse(path)
    address = address.replace("TOKEN", pulse["token"])
    with phone(url) as client:
        for response in (client.get(address), client.post(address, data=answered(pulse))):
            assert response.status_code == 404, address
            assert "This address opens nothing. Ask the facilitator for the pulse's link." in main_text(response)
            assert "streamlit" not in response.text.lower()
            assert "<form" not in response.text
            assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert stored(path, pulse) == []


def test_every_answer_carries_the_safety_headers(site):
    url, path = site
    pulse = open_pulse(path)
    with phone(url) as client:
        responses = [
            client.get(f"/pulse/{pulse['token']}"),
            client.post(f"/pulse/{pulse['token']}", data={"team": "x"}),
            client.post(f"/pulse/{pulse['token']}", data=answered(pulse)),
            client.get(f"/pulse/{pulse['token']}", params={"sent": "1"}),
            client.get("/nothing"),
        ]
    assert [response.status_code for response in responses] == [200, 400, 303, 200, 404]
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src" not in csp  # no script at all
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"


def test_nothing_of_the_phone_is_kept(site):
    url, path = site
    pulse = open_pulse(path)
    agent = "Mozilla/5.0 (Linux; Android 14; Pixel 8 of Ada Lovelace)"
    with phone(url) as client:
        client.get(f"/pulse/{pulse['token']}", headers={"User-Agent": agent})
        cookie = client.cookies["cxpulse"]
        client.post(f"/pulse/{pulse['token']}", data=answered(pulse), headers={"User-Agent": agent})
    assert len(stored(path, pulse)) == 1
    with workspace(path) as db:
        dump = "\n".join(db.conn.iterdump())
    assert cookie not in dump
    assert "Ada Lovelace" not in dump
    assert "127.0.0.1" not in dump
    assert pulses.device_hash(pulse["token"], cookie) in dump


# Beside the app, on the Streamlit server ------------------------------------------------------


def test_streamlit_serves_the_form_and_still_the_app(own_workspace, tmp_path):
    with workspace(own_workspace) as db:
        wave_id = int(store.org.waves(db, 1)["id"].iloc[-1])
        pulse = services.open_pulse(db, wave_id, ["Stores West"], now=datetime.now(UTC))
        pulse_teams = store.pulses.pulse_teams(db, int(pulse["id"]))
    with serving(own_workspace, tmp_path / "streamlit.log") as url, phone(url) as client:
        form = client.get(f"/pulse/{pulse['token']}")
        assert form.status_code == 200
        assert "Send my answers" in form.text
        assert "streamlit" not in form.text.lower()
        assert form.headers["content-security-policy"].startswith("default-src 'none'")
        team = next(iter(pulse_teams))
        sent = client.post(f"/pulse/{pulse['token']}", data={"team": str(team)} | SHORT)
        assert sent.status_code == 303
        assert client.get("/pulse/nope").status_code == 410
        app = client.get("/")
        assert app.status_code == 200
        assert "<title>Streamlit</title>" in app.text  # the app's page, which its script then fills
    assert len(stored(own_workspace, pulse)) == 1


def test_a_link_to_a_workspace_not_made_yet_opens_no_pulse_and_makes_no_file(tmp_path):
    # Before anyone has opened the app, there is no workspace file: a phone's visit must not create an empty
    # one (the app would then find a file with no tables where it makes the demo).
    missing = tmp_path / "not-yet.db"
    with TestClient(pulse_web.standalone(lambda: missing)) as client:
        answer = client.get("/pulse/sometoken")
    assert answer.status_code == 410
    assert "This link does not open a pulse" in answer.text
    assert not missing.exists()
