"""An open pulse's answers stay out of every wave view until it closes (store.responses.SHOWN): while it takes
answers the room learns of them only in steps of the minimum group size, so a Readiness page, a comment list
or `readiness --json` that counted each answer as it came would give one person's answer away as the change
between two looks. Once the pulse closes, by hand or by time, they count like any import."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxchange import services, store, ui

WAVE = "2026 Q4"  # the demo's latest wave of Customer First: it already holds responses of every team
SHORT = ("AW1", "DE1", "KN1", "AB1", "RE1")


def wave_id(db, name: str = WAVE) -> int:
    waves = store.org.waves(db)
    return int(waves.loc[waves["name"] == name, "id"].iloc[0])


def team_ids(db) -> dict[str, int]:
    teams = store.org.teams(db)
    return dict(zip(teams["name"], teams["id"].astype(int), strict=True))


def open_now(db, teams, minutes: int = 60, comment_question: str | None = "What would help?"):
    """A pulse opened now by the wall clock (the views read SQLite's own clock)."""
    return services.open_pulse(db, wave_id(db), list(teams), minutes=minutes, comment_question=comment_question)


def send(db, pulse, device: str, team_id: int, value: int = 1, comment: str | None = None) -> None:
    form = {"team": str(team_id)} | dict.fromkeys(SHORT, str(value))
    services.answer_pulse(db, pulse["token"], device, form | ({"comment": comment} if comment else {}))


def views(db) -> dict[str, object]:
    """Everything a wave view is drawn from, for the demo's latest wave."""
    wave = wave_id(db)
    threshold = float(store.settings.settings(db)["barrier_threshold"])
    every_team = list(team_ids(db).values())
    return {
        "sums": store.responses.team_wave_sums(db).sort_values(["wave_id", "team_id", "is_champion"]),
        "answers": store.responses.answer_counts(db, wave).sort_values(["team_id", "is_champion", "element", "value"]),
        "barriers": store.responses.barrier_counts(db, wave, threshold).sort_values(
            ["team_id", "is_champion", "barrier_point"]
        ),
        "comments": store.responses.comments(db, wave, every_team, 5),
        "scores": store.responses.response_scores(db, wave).sort_values("response_id"),
        "report": services.readiness_report(db, WAVE),
    }


def assert_same(now: dict[str, object], before: dict[str, object]) -> None:
    for name, value in before.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(now[name].reset_index(drop=True), value.reset_index(drop=True), obj=name)
        else:
            assert now[name] == value, name


def test_an_open_pulse_changes_no_wave_figure_until_it_closes(own_db):
    before = views(own_db)
    ids = team_ids(own_db)
    pulse = open_now(own_db, ["Stores West"])
    for device in range(7):
        send(own_db, pulse, f"device-{device}", ids["Stores West"], value=1, comment=f"Tell us more, {device}")
    assert_same(views(own_db), before)
    held = services.pulses_held(own_db, None)
    assert [(h["wave"], h["teams"]) for h in held] == [(WAVE, ["Stores West"])]
    assert "Not counted yet" in held[0]["text"]
    assert "Stores West" in held[0]["text"]
    assert not re.search(r"\b\d+ (answers|responses)\b", held[0]["text"])  # no count given

    services.close_pulse(own_db, int(pulse["id"]))
    assert services.pulses_held(own_db, None) == []
    west = lambda report: next(t for t in report["teams"] if t["team"] == "Stores West")  # noqa: E731
    report, earlier = services.readiness_report(own_db, WAVE), before["report"]
    assert west(report)["n"] == west(earlier)["n"] + 7
    assert west(report)["awareness"] < west(earlier)["awareness"]  # seven answers of 1 pull it down
    assert sum("Tell us more" in c for c in views(own_db)["comments"]["comments"]) == 7


def test_a_pulse_that_runs_out_by_time_counts_without_anyone_closing_it(own_db):
    before = views(own_db)
    ids = team_ids(own_db)
    pulse = open_now(own_db, ["Stores West"])
    for device in range(5):
        send(own_db, pulse, f"device-{device}", ids["Stores West"])
    assert_same(views(own_db), before)
    ran_out = (datetime.now(UTC) - timedelta(seconds=1)).replace(microsecond=0).isoformat()
    own_db.execute("UPDATE pulses SET closes_at = :at WHERE id = :id", {"at": ran_out, "id": int(pulse["id"])})
    own_db.conn.commit()  # the clock moving on, without waiting an hour
    west = next(t for t in services.readiness_report(own_db, WAVE)["teams"] if t["team"] == "Stores West")
    earlier = next(t for t in before["report"]["teams"] if t["team"] == "Stores West")
    assert west["n"] == earlier["n"] + 5
    assert services.pulses_held(own_db, None) == []


def test_readiness_json_keeps_its_contract_and_says_on_stderr_what_it_leaves_out(cli, own_db, own_workspace):
    ids = team_ids(own_db)
    pulse = open_now(own_db, ["Stores West"])
    send(own_db, pulse, "device-0", ids["Stores West"])
    result = cli("readiness", "--db", str(own_workspace), "--json")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == {"wave", "min_group_size", "teams"}
    assert "Not counted yet: the answers to the live pulse of 2026 Q4 for Stores West" in result.stderr


BEFORE: dict[str, dict[str, object]] = {}
"""The views of the test's workspace before any pulse (hypothesis runs the test body many times over one
workspace; each example opens pulses of its own, which stay open)."""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    teams=st.lists(
        st.sampled_from(["Stores West", "Stores North", "Contact Centre", "Customer Insight"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),  # fmt: skip
    answers=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(1, 5), st.booleans()), min_size=1, max_size=12
    ),
)
def test_no_run_of_answers_to_open_pulses_moves_a_wave_view(own_db, own_workspace, teams, answers):
    """Whatever teams a pulse asks and whoever answers, changes their mind or moves team, with or without a
    comment, every figure, count, comment and score of the wave stays what it was while the pulses are open."""
    before = BEFORE.setdefault(str(own_workspace), views(own_db))
    ids = team_ids(own_db)
    pulse = open_now(own_db, teams)
    for device, team, value, comment in answers:
        send(own_db, pulse, f"device-{device}", ids[teams[team % len(teams)]], value, "Why?" if comment else None)
    assert_same(views(own_db), before)


@pytest.fixture
def pulse_open(own_workspace):
    db = store.open_db(own_workspace)
    ids = team_ids(db)
    pulse = open_now(db, ["Stores West"])
    for device in range(6):
        send(db, pulse, f"device-{device}", ids["Stores West"])
    db.close()
    return pulse


def test_the_readiness_overview_and_team_pages_say_which_pulse_they_leave_out(own_app, pulse_open):
    for page in ("app_pages/readiness.py", "app_pages/overview.py", "app_pages/team_detail.py"):
        at = own_app.switch_page(page).run()
        assert not at.exception, page
        notes = [info.value for info in at.info if "Not counted yet" in info.value]
        assert len(notes) == 1, page
        assert "live pulse of 2026 Q4 for Stores West" in notes[0]
        assert not re.search(r"\b\d+ (answers|responses)\b", notes[0])


def test_the_apps_cached_views_move_on_when_a_pulse_runs_out_though_no_file_changes(own_db, own_workspace):
    pulse = open_now(own_db, ["Stores West"])
    soon = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0).isoformat()
    own_db.execute("UPDATE pulses SET closes_at = :at WHERE id = :id", {"at": soon, "id": int(pulse["id"])})
    own_db.conn.commit()
    stamp, version = ui._stamp(own_workspace), ui._version(own_workspace)
    assert ui._version(own_workspace) == version  # the same key while nothing moves
    time.sleep((datetime.fromisoformat(soon) - datetime.now(UTC)).total_seconds() + 0.5)
    assert ui._stamp(own_workspace) == stamp  # no file changed ...
    assert ui._version(own_workspace) != version  # ... yet every cached read is made afresh
