"""Workshop mode: the session's story, its links, and what the room may see."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cxchange import actions as actions_module
from cxchange import services, store, workshop


def test_a_session_follows_the_story_with_one_screen_per_team():
    steps = workshop.session_steps(["actions", "team", "pulse", "barriers"], ["Stores", "Digital"])
    # each team's figures, then its own screen for what the room will do about it: each fits the screen
    assert [step.slug for step in steps] == [
        "pulse", "barriers", "team:Stores", "act:Stores", "team:Digital", "act:Digital", "actions",
    ]  # fmt: skip
    assert workshop.progress(steps, 2) == "3 of 7 · Stores"
    assert workshop.progress(steps, 3) == "4 of 7 · Stores: what will we do?"


def test_a_skipped_step_is_left_out_and_a_stale_link_starts_at_the_beginning():
    steps = workshop.session_steps(["pulse", "heatmap", "kotter"], [])
    assert [step.kind for step in steps] == ["pulse", "heatmap", "kotter"]
    assert workshop.position(steps, "kotter") == 2
    assert workshop.position(steps, "team:Stores") == 0  # that team is not in this session
    assert workshop.position(steps, None) == 0
    assert workshop.session_steps([], []) == []


def test_the_pulse_and_team_screens_show_no_small_group(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    wave_rows = frame[frame["wave_id"] == 6]
    pulse = workshop.pulse(wave_rows, "Up 2.1 points since 2026 Q3", 5)
    assert (pulse.index, pulse.n, pulse.hidden) == ("67", "n = 1,061", False)
    hidden = workshop.team_screen(wave_rows, "Customer Insight", 5)
    assert hidden == {"index": "–", "n": "fewer than 5", "barrier": "", "remedy": ""}
    complementary = workshop.team_screen(wave_rows, "Complaints Resolution", 5)
    assert complementary["n"] == "hidden"
    assert complementary["index"] == "–"
    stuck = workshop.team_screen(wave_rows, "Distribution Centre", 5)
    assert stuck["barrier"] == "Awareness"
    assert stuck["remedy"].startswith("Sponsor messages")
    assert stuck["n"] == "n = 78"


def test_a_pulse_below_the_minimum_is_hidden():
    rows = pd.DataFrame([{"team_id": 0, "suppressed": True, "readiness": float("nan"), "n": 3}])
    assert workshop.pulse(rows, "", 5) == workshop.Pulse("–", "fewer than 5 responses", "", hidden=True)


def test_proposed_actions_rank_by_votes_then_by_when_they_were_raised():
    actions = pd.DataFrame({"id": [1, 2, 3, 4], "title": list("abcd"), "votes": [2, 5, 2, 0]})
    assert workshop.ranked(actions)["title"].tolist() == ["b", "a", "c", "d"]


def test_a_chart_for_the_projector_has_larger_text_and_the_same_data(demo_db):
    from cxchange import charts

    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    spec = charts.readiness_heatmap(frame[frame["wave_id"] == 6], 5).to_dict()
    big = workshop.for_projector(spec, 2.0)
    assert big["config"]["axis"]["labelFontSize"] == 2 * spec["config"]["axis"]["labelFontSize"]
    assert big["datasets"] == spec["datasets"]
    heat = big["hconcat"][0]
    assert heat["height"] == 2 * spec["hconcat"][0]["height"]
    texts = [layer["mark"] for layer in heat["layer"] if isinstance(layer["mark"], dict)]
    assert any(mark.get("fontSize", 0) >= 24 for mark in texts)  # cell text legible across a room
    assert spec["hconcat"][0]["height"] != heat["height"]  # the original is left as it was


def test_a_link_id_that_is_no_number_opens_no_session():
    assert workshop.link_id("12") == 12
    for value in (None, "", "abc", "1e3", "-1", "١٢", "<script>"):
        assert workshop.link_id(value) == 0


def test_actions_captured_are_the_sessions_own_and_an_old_link_keeps_todays():
    today = date(2026, 12, 2)
    actions = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "source": ["workshop"] * 5,
            "created_on": ["2026-12-02", "2026-12-02", "2026-12-01", "2026-12-02", "2026-12-02"],
            "session_id": pd.array([7, 8, 7, None, 7], dtype="Int64"),
            "status": ["open", "open", "open", "open", "dropped"],
        }
    )
    assert workshop.session_actions(actions, 7, today)["id"].tolist() == [1, 3]  # yesterday's too, none dropped
    assert workshop.session_actions(actions, 8, today)["id"].tolist() == [2]  # a second session the same day
    assert workshop.session_actions(actions, None, today)["id"].tolist() == [4]  # a link from before sessions


def test_a_vote_click_never_goes_below_none_and_a_capture_is_due_in_two_weeks():
    assert (workshop.voted(3, 1), workshop.voted(3, -1), workshop.voted(0, -1)) == (4, 2, 0)
    assert actions_module.default_due(date(2026, 12, 2)) == date(2026, 12, 16)
