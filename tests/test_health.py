"""Programme health: each check's green/amber/red boundaries on hand-built data, ticks, the trend, the writes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from cxchange import charts, health, readiness, sample_data, services, store
from cxchange.health import AMBER, GREEN, GREY, RED, HealthData

TODAY = date(2026, 6, 30)
A, B, C = 1, 2, 3  # top-level teams
A1, A2, B1, C1 = 11, 12, 21, 31  # their leaves
TEAMS = [
    {"id": A, "name": "Stores", "parent_id": None},
    {"id": B, "name": "Service", "parent_id": None},
    {"id": C, "name": "Digital", "parent_id": None},
    {"id": A1, "name": "Stores North", "parent_id": A},
    {"id": A2, "name": "Stores South", "parent_id": A},
    {"id": B1, "name": "Contact Centre", "parent_id": B},
    {"id": C1, "name": "Web", "parent_id": C},
]


def rows(frame: pd.DataFrame, columns: list[str]) -> list[list[Any]]:
    """The frame's values as lists, a missing value as None (pandas' str columns hold NaN)."""
    return [[None if pd.isna(value) else value for value in row] for row in frame[columns].values.tolist()]


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def champion(champion_id: int, team_id: int, **extra: Any) -> dict[str, Any]:
    return {"id": champion_id, "alias": f"C{champion_id}", "team_id": team_id, "started_on": "2026-01-01"} | extra


def healthy(**changes: Any) -> HealthData:
    """An initiative where every check is green as of TODAY; `changes` replace its parts."""
    parts: dict[str, Any] = {
        "owner": "Ana Ruiz, Chief Customer Officer",
        "started_on": "2026-01-05",
        "sponsor_activities": [{"sponsor": "Ana Ruiz", "happened_on": ago(10), "kind": "town hall"}],
        "waves": [{"name": f"W{i}", "opened_on": f"2026-0{i}-10"} for i in range(1, 5)],
        "outcome_periods": ["W4"],
        "kotter": [
            {"step": 1, "status": "in progress", "changed_on": "2026-01-10"},
            {"step": 1, "status": "done", "changed_on": ago(5)},
        ],
        "actions": [
            {
                "title": "Train the tills",
                "team_id": A1,
                "element": "knowledge",
                "status": "done",
                "created_on": "2026-02-01",
                "closed_on": "2026-03-01",
                "owner": "Ben Ade, Stores trainer",
                "due_on": "2026-03-01",
            },
            {
                "title": "Callback promise",
                "team_id": B1,
                "element": "desire",
                "status": "open",
                "created_on": "2026-02-01",
                "closed_on": None,
                "owner": "Cleo Park, Contact Centre lead",
                "due_on": ago(-30),
            },
        ],  # fmt: skip
        "teams": TEAMS,
        "taking_part": [{"team_id": team, "opened_on": "2026-01-10"} for team in (A1, A2, B1, C1)],
        "champions": [champion(1, A1), champion(2, A2), champion(3, B1), champion(4, C1)],
        "champion_activities": [{"champion_id": i, "happened_on": ago(20), "kind": "huddle"} for i in (1, 2, 3, 4)]
        + [{"champion_id": 3, "happened_on": ago(12), "kind": "recognition"}],
        "ticks": [],
        "results": [result(team, "W4", "2026-04-10") for team in (0, A1, A2, B1, C1)],
    }
    return HealthData(**(parts | changes))


NAMES = {0: "All teams"} | {team["id"]: team["name"] for team in TEAMS}


def result(team: int, wave: str, opened_on: str, **extra: Any) -> dict[str, Any]:
    """A team's row of health.readiness_results: answered directly, shown, no barrier, no clear change."""
    row = {
        "team_id": team,
        "team": NAMES[team],
        "wave": wave,
        "opened_on": opened_on,
        "direct_n": 0 if team == 0 else 12,
        "suppressed": False,
        "barrier_point": None,
        "delta": 1.5,
        "significant": False,
        "previous_wave": "W3",
    }
    return row | extra


def light(data: HealthData, name: str, today: date = TODAY) -> health.Light:
    return next(found for found in health.assess(data, today) if found.check.name == name)


def test_the_healthy_initiative_is_green_on_every_check():
    lights = health.assess(healthy(), TODAY)
    assert [found.check.name for found in lights] == [check.name for check in health.CHECKS]
    assert {found.check.name: found.colour for found in lights} == {check.name: GREEN for check in health.CHECKS}
    assert health.overall(lights) == 100


def test_every_check_says_how_it_is_judged():
    assert set(health.TICKABLE) == {"goals", "training", "recognition"}
    for check in health.CHECKS:
        assert check.judged in ("data", "tick")
        assert check.rule.endswith(".")


@pytest.mark.parametrize("owner", [None, "", "   "])
def test_no_named_owner_is_red(owner):
    found = light(healthy(owner=owner), "owner")
    assert found.colour == RED
    assert "No owner is named" in found.reason


def test_a_named_owner_is_green_and_named():
    assert light(healthy(), "owner").reason == "Owner: Ana Ruiz, Chief Customer Officer."


@pytest.mark.parametrize(("days", "colour"), [(0, GREEN), (30, GREEN), (31, AMBER), (60, AMBER), (61, RED), (400, RED)])
def test_sponsor_activity_recency_boundaries(days, colour):
    data = healthy(sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": ago(days), "kind": "town hall"}])
    found = light(data, "sponsor")
    assert found.colour == colour
    when = {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
    assert found.reason.startswith(f"Ana Ruiz's last activity was {when} (town hall, ")


def test_a_sponsor_seen_only_in_the_launch_month_is_red_once_a_month_has_passed():
    launch_only = [
        {"sponsor": "Ana Ruiz", "happened_on": "2026-05-04", "kind": "launch briefing"},
        {"sponsor": "Ana Ruiz", "happened_on": "2026-05-20", "kind": "site visit"},
    ]
    data = healthy(started_on="2026-05-01", sponsor_activities=launch_only)
    found = light(data, "sponsor")  # 41 days ago: amber by recency, red for launch only
    assert found.colour == RED
    assert "only in the launch month" in found.reason
    assert light(data, "sponsor", today=date(2026, 6, 19)).colour == GREEN  # still within 30 days


def test_another_sponsor_gone_quiet_turns_green_amber_and_is_named():
    activities = [
        {"sponsor": "Ana Ruiz", "happened_on": ago(3), "kind": "update message"},
        {"sponsor": "Victor Lang", "happened_on": "2026-01-10", "kind": "launch briefing"},
    ]
    found = light(healthy(sponsor_activities=activities), "sponsor")
    assert found.colour == AMBER
    assert "another sponsor has gone quiet: Victor Lang, last seen 10 Jan 2026 (171 days ago, only in the launch" in (
        found.reason
    )


def test_no_sponsor_activity_is_red():
    found = light(healthy(sponsor_activities=[]), "sponsor")
    assert found.colour == RED
    assert found.reason.startswith("No sponsor activity logged yet")


def test_sponsor_activity_after_today_does_not_count():
    data = healthy(sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": "2026-07-15", "kind": "town hall"}])
    assert light(data, "sponsor").colour == RED


def test_goals_green_from_outcome_figures_of_the_initiatives_waves():
    found = light(healthy(), "goals")
    assert found.colour == GREEN
    assert found.source == "data"
    assert found.reason.startswith("CX outcome figures exist for 1 of 4 waves (latest: W4)")


def test_goals_without_figures_are_not_assessed_until_ticked():
    assert light(healthy(outcome_periods=["2019 Q1"]), "goals").colour == GREY
    not_yet = healthy(outcome_periods=["W5"], waves=[{"name": "W5", "opened_on": "2026-08-01"}])
    found = light(not_yet, "goals")  # the wave of those figures opens after today
    assert found.colour == GREY
    assert found.source == "none"
    assert found.reason.startswith("Not assessed: no CX outcome figures")

    ticked = healthy(
        outcome_periods=[],
        ticks=[
            {"id": 1, "check_name": "goals", "ticked": 1, "note": "NPS target in the plan", "ticked_on": "2026-06-01"}
        ],
    )
    found = light(ticked, "goals")
    assert (found.colour, found.source) == (GREEN, "tick")
    assert found.reason == "Ticked by the facilitator on 1 Jun 2026: NPS target in the plan"


def test_an_explicit_untick_is_red_with_its_note():
    ticks = [{"id": 1, "check_name": "goals", "ticked": 0, "note": "no targets yet", "ticked_on": "2026-06-02"}]
    found = light(healthy(outcome_periods=[], ticks=ticks), "goals")
    assert found.colour == RED
    assert found.reason == "Unticked by the facilitator on 2 Jun 2026: no targets yet"


def test_the_latest_tick_wins():
    ticks = [
        {"id": 3, "check_name": "training", "ticked": 1, "note": "first", "ticked_on": "2026-06-01"},
        {"id": 1, "check_name": "training", "ticked": 0, "note": "second, later day", "ticked_on": "2026-06-10"},
        {"id": 5, "check_name": "training", "ticked": 1, "note": "same day, entered later", "ticked_on": "2026-06-10"},
        {"id": 9, "check_name": "training", "ticked": 0, "note": "after today", "ticked_on": "2026-07-02"},
        {"id": 7, "check_name": "goals", "ticked": 0, "note": "another check", "ticked_on": "2026-06-20"},
    ]
    found = light(healthy(actions=[], ticks=ticks), "training")
    assert found.colour == GREEN
    assert found.reason.endswith("same day, entered later")
    assert light(healthy(actions=[], ticks=ticks), "training", today=date(2026, 6, 5)).reason.endswith("first")


def test_the_rules_state_the_thresholds_of_the_settings():
    rules = {found.check.name: found.check.rule for found in health.assess(healthy(), TODAY)}
    assert "at most 30 days old, amber up to 60 days" in rules["sponsor"]
    assert "green from 50%, amber from 25%, red below" in rules["feedback"]
    assert "green from 4, amber from 2, red with fewer" in rules["measurement"]
    assert "in the last 30 days, as on the Champions page): green from 80%, amber from 50%" in rules["champions"]
    changed = healthy(settings={"health_feedback_green": 70, "health_recognition_days": 14})
    rules = {found.check.name: found.check.rule for found in health.assess(changed, TODAY)}
    assert "green from 70%, amber from 25%" in rules["feedback"]
    assert "in the last 14 days" in rules["recognition"]
    assert "{" not in "".join(rules.values())


@pytest.mark.parametrize(
    ("settings", "name", "colour"),
    [
        ({}, "sponsor", GREEN),  # seen 10 days ago
        ({"health_sponsor_active_days": 9}, "sponsor", AMBER),
        ({"health_sponsor_active_days": 5, "health_sponsor_lapsed_days": 8}, "sponsor", RED),
        ({}, "feedback", GREEN),  # 1 of 2 done: 50%
        ({"health_feedback_green": 51}, "feedback", AMBER),
        ({"health_feedback_green": 90, "health_feedback_amber": 60}, "feedback", RED),
        ({"health_waves_green": 5}, "measurement", AMBER),  # 4 waves
        ({"health_waves_green": 6, "health_waves_amber": 5}, "measurement", RED),
        ({"champion_quiet_days": 19}, "champions", RED),  # every session 20 days ago
        ({"health_champions_green": 100}, "champions", GREEN),  # all four teams covered
        ({"health_cross_team_green": 4}, "cross_team", AMBER),  # three top-level teams
        ({"health_cross_team_green": 5, "health_cross_team_amber": 4}, "cross_team", RED),
        ({"health_recognition_days": 11}, "recognition", AMBER),  # the recognition was 12 days ago
    ],
)
def test_each_threshold_comes_from_the_settings(settings, name, colour):
    assert light(healthy(settings=settings), name).colour == colour


def test_the_launch_month_follows_its_setting():
    only_at_launch = healthy(sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": ago(41), "kind": "town hall"}])
    assert light(only_at_launch, "sponsor").colour == AMBER  # the initiative started 176 days ago
    longer = HealthData(**{**only_at_launch.__dict__, "settings": {"health_launch_days": 150}})
    assert light(longer, "sponsor").colour == RED
    assert "only in the launch month" in light(longer, "sponsor").reason


@pytest.mark.parametrize(("days", "colour"), [(42, GREEN), (43, AMBER), (84, AMBER), (85, RED)])  # stale after 6 weeks
def test_update_cadence_boundaries_follow_the_stale_weeks_setting(days, colour):
    data = healthy(
        sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": ago(days), "kind": "update message"}],
        kotter=[{"step": 1, "status": "done", "changed_on": ago(days + 1)}],
    )
    found = light(data, "updates")
    assert found.colour == colour
    assert "updates are due at least every 6 weeks" in found.reason
    assert light(HealthData(**{**data.__dict__, "stale_weeks": 13}), "updates").colour == GREEN


def test_a_kotter_step_change_is_an_update_too():
    data = healthy(
        sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": ago(200), "kind": "town hall"}],
        kotter=[{"step": 4, "status": "in progress", "changed_on": ago(2)}],
    )
    found = light(data, "updates")
    assert found.colour == GREEN
    assert "Kotter step 4 set to in progress" in found.reason
    assert light(healthy(sponsor_activities=[], kotter=[]), "updates").colour == RED


def actions(done: int, open_: int, dropped: int = 0) -> list[dict[str, Any]]:
    rows = [("done", "2026-03-01")] * done + [("open", None)] * open_ + [("dropped", "2026-03-01")] * dropped
    return [
        {"title": f"Action {i}", "team_id": A1, "element": None, "status": status, "created_on": "2026-02-01",
         "closed_on": closed}
        for i, (status, closed) in enumerate(rows)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("done", "open_", "colour", "text"),
    [
        (2, 2, GREEN, "4 actions raised, 2 done (50%)."),
        (1, 3, AMBER, "4 actions raised, 1 done (25%)."),
        (1, 4, RED, "5 actions raised, 1 done (20%)."),
        (0, 1, RED, "1 action raised, 0 done (0%)."),
    ],
)
def test_feedback_loop_boundaries_with_the_counts(done, open_, colour, text):
    found = light(healthy(actions=actions(done, open_)), "feedback")
    assert (found.colour, found.reason) == (colour, text)


def test_dropped_actions_are_not_counted_as_raised():
    found = light(healthy(actions=actions(1, 1, dropped=2)), "feedback")
    assert (found.colour, found.reason) == (GREEN, "2 actions raised, 1 done (50%) (2 dropped, not counted).")


def test_no_action_raised_is_amber():
    found = light(healthy(actions=[]), "feedback")
    assert found.colour == AMBER
    assert found.reason.startswith("No actions raised yet")


@pytest.mark.parametrize(("waves", "colour"), [(6, GREEN), (4, GREEN), (3, AMBER), (2, AMBER), (1, RED), (0, RED)])
def test_measurement_cadence_boundaries(waves, colour):
    rows = [{"name": f"W{i}", "opened_on": f"2026-0{i}-10"} for i in range(1, waves + 1)]
    found = light(healthy(waves=rows), "measurement")
    assert found.colour == colour
    if waves:
        assert found.reason.startswith(f"{waves} ADKAR survey wave{'s' if waves > 1 else ''} so far (latest: W{waves}")


def test_a_wave_opening_after_today_is_not_counted_yet():
    rows = [{"name": f"W{i}", "opened_on": f"2026-0{i}-10"} for i in range(3, 8)]  # W7 opens in July
    assert light(healthy(waves=rows), "measurement").colour == GREEN
    assert light(healthy(waves=rows[:4]), "measurement", today=date(2026, 5, 31)).colour == AMBER


def test_training_green_from_a_done_knowledge_action_amber_when_only_planned():
    found = light(healthy(), "training")
    assert found.colour == GREEN
    assert "\u201cTrain the tills\u201d" in found.reason
    planned = [{"title": "Book the trainers", "team_id": A1, "element": "knowledge", "status": "in progress",
                "created_on": "2026-02-01", "closed_on": None}]  # fmt: skip
    found = light(healthy(actions=planned), "training")
    assert found.colour == AMBER
    assert "planned but not done" in found.reason
    tick = [{"id": 1, "check_name": "training", "ticked": 1, "note": "LMS course live", "ticked_on": "2026-06-01"}]
    assert light(healthy(actions=planned, ticks=tick), "training").colour == GREEN  # the tick decides, not "planned"
    assert light(healthy(actions=[]), "training").colour == GREY


def test_a_done_action_counts_only_from_the_day_it_closed():
    assert light(healthy(), "training", today=date(2026, 2, 15)).colour == AMBER  # created, not yet done


def test_champion_network_boundaries():
    everyone = healthy()
    assert light(everyone, "champions").reason == "4 of 4 teams taking part have an active champion (100%)."
    three = healthy(champions=[champion(1, A1), champion(2, A2), champion(3, B1)])
    assert light(three, "champions").colour == AMBER  # 75%
    two = healthy(champions=[champion(1, A1), champion(3, B1)])
    found = light(two, "champions")
    assert found.colour == AMBER  # 50%
    assert found.reason == ("2 of 4 teams taking part have an active champion (50%); without one: Stores South, Web.")
    one = healthy(champions=[champion(1, A1)])
    assert light(one, "champions").colour == RED  # 25%
    five = healthy(
        taking_part=[{"team_id": team, "opened_on": "2026-01-10"} for team in (A1, A2, B1, C1, 99)],
        teams=[*TEAMS, {"id": 99, "name": "HR", "parent_id": None}],
    )
    assert light(five, "champions").colour == GREEN  # 4 of 5: 80%


def test_a_champion_counts_only_while_in_role_and_active():
    quiet = healthy(
        champion_activities=[
            {"champion_id": 1, "happened_on": ago(20), "kind": "huddle"},
            {"champion_id": 2, "happened_on": ago(31), "kind": "huddle"},  # quiet: more than 30 days ago
            {"champion_id": 3, "happened_on": ago(20), "kind": "huddle"},
            {"champion_id": 4, "happened_on": ago(20), "kind": "huddle"},
        ]
    )
    # Quiet is its own state, as on the Champions page: in post, but not active.
    assert light(quiet, "champions").reason.endswith("quiet (in post, no session in 30 days): Stores South.")
    ended = healthy(champions=[champion(1, A1), champion(2, A2, ended_on=ago(1)), champion(3, B1), champion(4, C1)])
    assert light(ended, "champions").reason.endswith("without one: Stores South.")


def test_a_champion_in_a_sub_team_covers_the_team_taking_part():
    data = healthy(taking_part=[{"team_id": A, "opened_on": "2026-01-10"}], champions=[champion(1, A2)])
    assert light(data, "champions").reason == "1 of 1 team taking part has an active champion (100%)."


def test_without_survey_results_the_teams_without_sub_teams_take_part():
    found = light(healthy(taking_part=[]), "champions")
    assert found.reason.startswith("4 of 4 teams taking part")


@pytest.mark.parametrize(
    ("kotter", "waves", "colour"),
    [
        ([{"step": 2, "status": "at risk", "changed_on": "2026-02-01"}], True, GREEN),
        ([{"step": 2, "status": "in progress", "changed_on": "2026-02-01"}], False, AMBER),
        ([], True, AMBER),
        ([], False, RED),
        (
            [
                {"step": 1, "status": "in progress", "changed_on": "2026-02-01"},
                {"step": 1, "status": "not started", "changed_on": "2026-03-01"},
            ],
            False,
            RED,
        ),
    ],
)
def test_change_model_applied(kotter, waves, colour):
    data = healthy(kotter=kotter, waves=[{"name": "W1", "opened_on": "2026-01-10"}] if waves else [])
    assert light(data, "change_model").colour == colour


def test_change_model_reason_counts_the_steps():
    assert light(healthy(), "change_model").reason == "Kotter steps under way (1 done); 4 ADKAR survey waves."


def test_cross_team_involvement_boundaries():
    found = light(healthy(), "cross_team")
    assert found.colour == GREEN
    assert found.reason == ("3 top-level teams involved through actions or active champions: Digital, Service, Stores.")
    two = healthy(champions=[champion(1, A1), champion(3, B1)])
    assert light(two, "cross_team").colour == AMBER
    one = healthy(champions=[champion(1, A1)], actions=actions(1, 1))
    found = light(one, "cross_team")
    assert found.colour == RED
    assert "1 top-level team involved" in found.reason
    nothing = healthy(champions=[], actions=[])
    assert light(nothing, "cross_team").colour == RED


def test_cross_team_counts_only_champions_of_teams_taking_part():
    data = healthy(taking_part=[{"team_id": A1, "opened_on": "2026-01-10"}], actions=[])
    assert light(data, "cross_team").reason.endswith(
        "involved through actions or active champions: Stores; at least 3 show the change reaching across the "
        "organisation."
    )


def test_recognition_boundaries():
    found = light(healthy(), "recognition")
    assert found.colour == GREEN
    assert found.reason == "Champions logged 1 recognition in the last 60 days (latest 18 Jun 2026)."
    older = [{"champion_id": 3, "happened_on": ago(61), "kind": "recognition"}]
    found = light(healthy(champion_activities=older), "recognition")
    assert found.colour == AMBER
    assert found.reason.startswith("The last recognition champions logged was 61 days ago")
    tick = [{"id": 1, "check_name": "recognition", "ticked": 1, "note": "CX awards", "ticked_on": "2026-06-01"}]
    assert light(healthy(champion_activities=older, ticks=tick), "recognition").colour == GREEN
    assert light(healthy(champion_activities=[]), "recognition").colour == GREY


def test_recognition_of_champions_outside_the_initiative_does_not_count():
    data = healthy(taking_part=[{"team_id": A1, "opened_on": "2026-01-10"}])  # the recognition was in B1
    assert light(data, "recognition").colour == GREY


def test_overall_scores_green_amber_red_and_leaves_grey_out():
    check = health.CHECKS[0]
    lights = [health.Light(check, colour, "") for colour in (GREEN, AMBER, RED, GREY, GREY)]
    assert health.overall(lights) == 50
    assert health.overall([health.Light(check, GREY, "")]) == 0
    assert health.counts(lights) == {GREEN: 1, AMBER: 1, RED: 1, GREY: 2}


def test_trend_dates_are_month_ends_from_the_start_then_today():
    assert health.trend_dates(healthy(), TODAY) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31), TODAY
    ]  # fmt: skip
    assert health.trend_dates(healthy(), date(2026, 3, 31))[-2:] == [date(2026, 2, 28), date(2026, 3, 31)]
    assert health.trend_dates(healthy(started_on="2027-01-01"), TODAY) == [TODAY]
    undated = healthy(started_on=None, waves=[], kotter=[], actions=[], sponsor_activities=[])
    assert health.trend_dates(undated, TODAY) == [TODAY]


def test_the_trend_judges_each_day_with_only_what_was_known_by_then():
    data = healthy(
        sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": "2026-01-20", "kind": "launch briefing"}],
        ticks=[{"id": 1, "check_name": "goals", "ticked": 1, "note": "targets", "ticked_on": "2026-05-15"}],
        outcome_periods=[],
    )
    trend = health.health_trend(data, [date(2026, 1, 31), date(2026, 4, 30), date(2026, 5, 31)])
    assert list(trend.columns) == ["day", "score", GREEN, AMBER, RED, GREY]
    assert trend["day"].tolist() == [pd.Timestamp("2026-01-31"), pd.Timestamp("2026-04-30"), pd.Timestamp("2026-05-31")]
    by_day = {day: health.assess(data, day) for day in (date(2026, 1, 31), date(2026, 4, 30), date(2026, 5, 31))}
    colours = {day: {found.check.name: found.colour for found in lights} for day, lights in by_day.items()}
    assert colours[date(2026, 1, 31)]["sponsor"] == GREEN
    assert colours[date(2026, 4, 30)]["sponsor"] == RED
    assert colours[date(2026, 4, 30)]["goals"] == GREY  # ticked only in May
    assert colours[date(2026, 5, 31)]["goals"] == GREEN
    assert colours[date(2026, 1, 31)]["measurement"] == RED  # one wave by then
    assert colours[date(2026, 1, 31)]["training"] == GREY  # the training action came in February
    assert colours[date(2026, 1, 31)]["feedback"] == AMBER  # no action raised yet
    for row, lights in zip(trend.itertuples(), by_day.values(), strict=True):
        assert row.score == health.overall(lights)
        assert (row.green, row.amber, row.red, row.grey) == tuple(health.counts(lights)[c] for c in health.COLOURS)


def test_the_trend_chart_shows_the_score_with_the_counts_on_hover():
    trend = health.health_trend(healthy(), health.trend_dates(healthy(), TODAY))
    spec = charts.health_trend(trend, title="Programme health").to_dict()
    tooltips = [tip["title"] for layer in spec["layer"] for tip in layer.get("encoding", {}).get("tooltip", [])]
    assert tooltips == ["As of", "Health score (0–100)", "Green checks", "Amber checks", "Red checks", "Not assessed"]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 100]
    values = next(iter(spec["datasets"].values()))
    assert values[-1]["day"] == "2026-06-30"
    assert values[-1]["as_of"] == "30 Jun 2026"


# Writes --------------------------------------------------------------------------------------


@pytest.fixture
def initiative(db) -> int:
    return store.org.add_initiative(db, "Customer First", "2026-01-05")


def test_tick_check_keeps_every_tick_and_the_latest_counts(db, initiative):
    services.tick_check(db, initiative, "goals", True, "  NPS target   agreed ", TODAY)
    services.tick_check(db, initiative, "goals", False, "", TODAY)
    ticks = store.health.health_ticks(db, initiative)
    assert rows(ticks, ["check_name", "ticked", "note", "ticked_on"]) == [
        ["goals", 1, "NPS target agreed", "2026-06-30"],
        ["goals", 0, None, "2026-06-30"],
    ]
    data = HealthData.from_frames(store.health.health_inputs(db, initiative), 6)
    assert light(data, "goals").reason == "Unticked by the facilitator on 30 Jun 2026."


@pytest.mark.parametrize(
    ("check", "ticked", "note", "message"),
    [
        ("owner", True, "yes", "Check 'owner' cannot be ticked"),
        ("goals", True, "  ", "needs a note saying what shows it is in place"),
        ("training", True, "x" * 501, "the note is 501 characters long"),
    ],
)
def test_tick_check_refuses_and_writes_nothing(db, initiative, check, ticked, note, message):
    with pytest.raises(ValueError, match=message):
        services.tick_check(db, initiative, check, ticked, note, TODAY)
    assert store.count(db, "health_ticks") == 0


def test_tick_check_of_an_unknown_initiative_writes_nothing(db):
    with pytest.raises(ValueError, match="there is no initiative with id 42"):
        services.tick_check(db, 42, "goals", True, "note", TODAY)
    assert store.count(db, "health_ticks") == 0


def test_add_sponsor_activity_is_logged_and_read_back(db, initiative):
    store.insert_rows(db, "teams", [{"id": 5, "name": "Stores", "parent_id": None}])
    team = 5
    services.add_sponsor_activity(db, initiative, " Ana  Ruiz ", date(2026, 6, 1), "town hall", "", team, today=TODAY)
    services.add_sponsor_activity(db, initiative, "Ana Ruiz", "2026-06-20", "site visit", "Depot tour", today=TODAY)
    logged = store.health.sponsor_activities(db, initiative)
    assert rows(logged, ["sponsor", "happened_on", "kind", "team", "note"]) == [
        ["Ana Ruiz", "2026-06-20", "site visit", None, "Depot tour"],
        ["Ana Ruiz", "2026-06-01", "town hall", "Stores", None],
    ]
    data = HealthData.from_frames(store.health.health_inputs(db, initiative), 6)
    assert light(data, "sponsor").reason == "Ana Ruiz's last activity was 10 days ago (site visit, 20 Jun 2026)."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sponsor": "  "}, "give the sponsor's name"),
        ({"happened_on": "2026-07-01"}, r"the date 2026-07-01 is after today \(2026-06-30\)"),
        ({"happened_on": "last week"}, "the date 'last week' is not a date"),
        ({"kind": "party"}, "the kind 'party' is not one of town hall"),
        ({"team_id": 77}, "there is no team with id 77"),
        ({"initiative_id": 42}, "there is no initiative with id 42"),
    ],
)
def test_add_sponsor_activity_refuses_and_writes_nothing(db, initiative, fields, message):
    values = {
        "initiative_id": initiative,
        "sponsor": "Ana Ruiz",
        "happened_on": "2026-06-01",
        "kind": "town hall",
        "note": None,
        "team_id": None,
    } | fields
    with pytest.raises(ValueError, match=message):
        services.add_sponsor_activity(db, **values, today=TODAY)
    assert store.count(db, "sponsor_activities") == 0


def test_set_initiative_owner(db, initiative):
    with pytest.raises(ValueError, match="give the owner's name"):
        services.set_initiative_owner(db, initiative, " ")
    services.set_initiative_owner(db, initiative, "Ana  Ruiz, CCO")
    assert store.org.initiatives(db)["owner"].tolist() == ["Ana Ruiz, CCO"]


# The demo's stories ----------------------------------------------------------------------------


def demo_lights(demo_db, name: str) -> dict[str, health.Light]:
    initiative = store.org.initiative_id(demo_db, name)
    settings = store.settings.settings(demo_db)
    frame = readiness.figures(
        services.team_stats(demo_db, initiative),
        store.org.teams(demo_db),
        store.org.waves(demo_db, initiative),
        settings,
    )
    data = HealthData.from_frames(
        store.health.health_inputs(demo_db, initiative),
        settings["stale_weeks"],
        settings,
        health.readiness_results(frame),
    )
    return {found.check.name: found for found in health.assess(data, sample_data.LAST_DAY)}


def test_the_demo_main_initiative_has_a_monthly_sponsor_and_one_gone_quiet(demo_db):
    lights = demo_lights(demo_db, sample_data.MAIN_INITIATIVE)
    assert lights["sponsor"].colour == AMBER
    assert lights["sponsor"].reason.startswith("Hannah Reed's last activity was 26 days ago")
    assert "Victor Lang, Supply Chain Director, last seen 8 Jul 2025" in lights["sponsor"].reason
    assert lights["feedback"].reason == "8 actions raised, 3 done (38%)."
    assert lights["measurement"].colour == GREEN
    assert lights["training"].colour == GREEN
    assert "Distribution Centre" in lights["champions"].reason  # its champions went quiet with their sponsor


def test_the_demo_pilot_has_too_few_waves_and_no_outcome_figures(demo_db):
    lights = demo_lights(demo_db, sample_data.PILOT_INITIATIVE)
    assert lights["measurement"].colour == AMBER
    assert lights["goals"].colour == GREY
    assert lights["cross_team"].colour == AMBER
    assert lights["owner"].reason == "Owner: Omar Haddad, Head of Digital."


def test_a_record_without_a_readable_date_is_undated():
    data = healthy(sponsor_activities=[{"sponsor": "Ana Ruiz", "happened_on": "last week", "kind": "town hall"}])
    assert light(data, "sponsor").colour == RED  # not counted, and nothing breaks
    undated = healthy(kotter=[{"step": 3, "status": "in progress", "changed_on": None}], waves=[])
    assert light(undated, "change_model", today=date(2026, 1, 1)).colour == AMBER  # an undated change counts


# The checks that read the results ----------------------------------------------------------------


def at_barrier(team: int, element: str = "awareness", **extra: Any) -> dict[str, Any]:
    return result(team, "W4", "2026-04-10", barrier_point=element, **extra)


def action(title: str, team: int | None, element: str, **extra: Any) -> dict[str, Any]:
    row = {
        "title": title,
        "team_id": team,
        "element": element,
        "status": "open",
        "created_on": "2026-04-20",
        "closed_on": None,
        "owner": "Dee Lowe, Ops lead",
        "due_on": ago(-14),
    }
    return row | extra


def test_a_team_at_a_barrier_needs_an_open_action_aimed_at_that_element():
    results = [result(0, "W4", "2026-04-10"), at_barrier(A1), at_barrier(B1, "desire")]
    nothing = light(healthy(results=results, actions=[]), "barriers")
    assert nothing.colour == RED
    assert nothing.reason == (
        "0 of 2 teams at a barrier point in W4 have an open action aimed at it and on time; none aimed at it: "
        "Stores North (at Awareness), Contact Centre (at Desire)."
    )
    one = light(healthy(results=results, actions=[action("Explain why", A1, "awareness")]), "barriers")
    assert one.colour == AMBER
    assert one.reason.startswith("1 of 2 teams at a barrier point in W4 has an open action")
    both = [action("Explain why", A, "awareness"), action("Ask what they want", B1, "desire")]  # A is above A1
    assert light(healthy(results=results, actions=both), "barriers").colour == GREEN


def test_an_action_aimed_past_the_barrier_does_not_count_and_is_named():
    found = light(healthy(results=[at_barrier(A1)], actions=[action("Train the tills", A1, "knowledge")]), "barriers")
    assert found.colour == RED
    assert "“Train the tills” aims at Knowledge, past Stores North's Awareness barrier" in found.reason


def test_an_action_aimed_at_the_barrier_but_past_due_or_closed_does_not_cover_it():
    late = light(
        healthy(results=[at_barrier(A1)], actions=[action("Explain why", A1, "awareness", due_on=ago(3))]), "barriers"
    )
    assert late.colour == AMBER
    assert "only late: Stores North (its Awareness action is past due)" in late.reason
    done = action("Explain why", A1, "awareness", status="done", closed_on=ago(2))
    assert light(healthy(results=[at_barrier(A1)], actions=[done]), "barriers").colour == RED


def test_a_hidden_team_is_never_named_at_a_barrier():
    hidden = at_barrier(A1, suppressed=True)  # readiness_results clears a hidden team's barrier point too
    found = light(healthy(results=[result(0, "W4", "2026-04-10"), hidden], actions=[]), "barriers")
    assert found.colour == GREEN
    assert "Stores North" not in found.reason


def test_without_results_the_result_checks_are_not_assessed():
    lights = {name: light(healthy(results=[]), name) for name in ("barriers", "declines")}
    assert {found.colour for found in lights.values()} == {GREY}


def fell(team: int, delta: float) -> dict[str, Any]:
    return result(team, "W4", "2026-04-10", delta=delta, significant=True, previous_wave="W3")


def test_readiness_falling_significantly_is_amber_for_one_team_and_red_for_more():
    one = light(healthy(results=[result(0, "W4", "2026-04-10"), fell(A1, -6.25)]), "declines")
    assert (one.colour, one.reason) == (
        AMBER,
        "Readiness fell significantly in W4 for Stores North (−6.2 points since W3).",
    )
    two = light(healthy(results=[result(0, "W4", "2026-04-10"), fell(A1, -6.25), fell(B1, -9)]), "declines")
    assert two.colour == RED
    assert two.reason.index("Contact Centre") < two.reason.index("Stores North")  # the steepest fall first
    organisation = light(healthy(results=[fell(0, -3), fell(A1, -6.25)]), "declines")
    assert organisation.colour == RED
    assert organisation.reason.startswith("Readiness fell significantly in W4 across the organisation (−3.0 points)")
    not_significant = result(A1, "W4", "2026-04-10", delta=-8.0, significant=False)
    assert light(healthy(results=[not_significant]), "declines").colour == GREEN  # a fall the test cannot tell


def test_the_result_checks_read_the_latest_wave_as_of_each_day():
    results = [fell(A1, -6.0) | {"wave": "W3", "opened_on": "2026-03-10"}, result(A1, "W4", "2026-04-10")]
    assert light(healthy(results=results), "declines").colour == GREEN
    assert light(healthy(results=results), "declines", today=date(2026, 3, 31)).colour == AMBER


def test_open_actions_past_their_due_date_are_named_with_their_owner():
    actions = [action(f"Step {i}", A1, "desire") for i in range(7)] + [
        action("Call back", B1, "desire", due_on=ago(92))
    ]
    one = light(healthy(actions=actions), "overdue")
    assert one.colour == AMBER
    assert one.reason == "1 of 8 open actions is past due: “Call back” (owner Dee Lowe, Ops lead, 92 days late)."
    many = light(healthy(actions=actions[:2] + [action("Late", A2, "desire", due_on=ago(1))] * 2), "overdue")
    assert many.colour == RED  # half of the open actions


def test_an_open_action_without_owner_or_due_date_can_never_be_overdue_so_it_is_amber():
    found = light(
        healthy(actions=[action("Captured in the workshop", A1, "desire", owner=None, due_on=None)]), "overdue"
    )
    assert found.colour == AMBER
    assert found.reason == (
        "None of the 1 open action is past its due date; 1 open action has no owner and 1 open action has no due "
        "date, so nobody is held to it."
    )


def test_the_health_score_moves_against_the_same_day_a_month_before():
    assert health.month_before(date(2026, 12, 1)) == date(2026, 11, 1)
    assert health.month_before(date(2026, 3, 31)) == date(2026, 2, 28)


def test_the_demo_main_initiative_shows_supply_chain_falling_behind_its_barrier(demo_db):
    lights = demo_lights(demo_db, sample_data.MAIN_INITIATIVE)
    assert lights["declines"].colour == RED
    assert "Supply Chain (−" in lights["declines"].reason
    assert "Distribution Centre (−" in lights["declines"].reason
    assert lights["barriers"].colour != GREEN
    assert "Distribution Centre" in lights["barriers"].reason
    assert "past Distribution Centre's Awareness barrier" in lights["barriers"].reason
    assert lights["overdue"].colour == RED
    assert "“Supply chain director to brief all shifts on the programme” (owner" in lights["overdue"].reason
