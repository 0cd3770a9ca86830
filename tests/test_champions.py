"""The champion network: coverage rules, the champion effect by hand, roster and activity checks, the roster import."""

from __future__ import annotations

import io
import json
import math
import re
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from scipy import stats

from cxchange import champions, charts, sample_data, services, store
from cxchange.importing import ImportRejected

TODAY = date(2026, 6, 30)

# Coverage ------------------------------------------------------------------------------------


def hand_teams() -> pd.DataFrame:
    """Ops (no headcount of its own) over A (50), B (51), C (no headcount), D (30); Solo (10) on its own."""
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "name": ["Ops", "A", "B", "C", "D", "Solo"],
            "parent_id": pd.array([None, 1, 1, 1, 1, None], dtype="Int64"),
            "headcount": [None, 50, 51, None, 30, 10],
        }
    )


def hand_roster() -> pd.DataFrame:
    rows = [
        (1, "a1", 2, "2026-01-01", None),
        (2, "a2", 2, "2026-02-01", None),
        (3, "b1", 3, "2026-01-01", None),
        (4, "b2", 3, "2026-01-01", None),
        (5, "d1", 5, "2025-01-01", "2026-06-30"),  # stepped down today: no longer active
        (6, "solo", 6, "2025-01-01", "2026-07-01"),  # steps down tomorrow: still active today
        (7, "solo-new", 6, "2026-07-01", None),  # starts tomorrow: not yet
        (8, "d-old", 5, "2024-01-01", "2026-06-29"),
    ]
    return pd.DataFrame(rows, columns=["id", "alias", "team_id", "started_on", "ended_on"])


def hand_activities() -> pd.DataFrame:
    rows = [
        (1, "2026-05-31"),  # A: exactly 30 days ago, still active
        (2, "2026-04-01"),
        (3, "2026-05-30"),  # B: 31 days ago, quiet
        (4, "2026-07-02"),  # B: in the future, does not count
        (5, "2026-06-29"),  # D's champion, who stepped down today: does not count
        (8, "2026-06-28"),
        (6, "2026-06-01"),  # Solo: 29 days ago
    ]
    return pd.DataFrame(rows, columns=["champion_id", "happened_on"])


@pytest.fixture
def covered() -> pd.DataFrame:
    return champions.coverage(hand_teams(), hand_roster(), hand_activities(), TODAY, 25).set_index("team")


def test_the_ratio_is_met_at_exactly_one_champion_per_target(covered):
    a, b = covered.loc["A"], covered.loc["B"]
    assert (a["champions"], a["people_per_champion"], bool(a["target_met"])) == (2, 25.0, True)  # 50 / 2
    assert (b["champions"], b["people_per_champion"], bool(b["target_met"])) == (2, 25.5, False)  # 51 / 2
    assert b["needed"] == 3


def test_a_team_is_quiet_only_after_more_than_30_days(covered):
    assert (covered.loc["A", "last_activity"], covered.loc["A", "days_since"], covered.loc["A", "status"]) == (
        "2026-05-31",
        30,
        "active",
    )
    assert (covered.loc["B", "last_activity"], covered.loc["B", "days_since"], covered.loc["B", "status"]) == (
        "2026-05-30",
        31,
        "quiet",
    )  # the session logged for 2 July is not counted on 30 June


def test_retired_and_future_champions_are_not_active(covered):
    assert covered.loc["D", "champions"] == 0  # ended today and yesterday
    assert covered.loc["D", "status"] == "none"
    assert covered.loc["D", "last_activity"] is None  # a retired champion's sessions do not count
    assert not covered.loc["D", "target_met"]
    solo = covered.loc["Solo"]
    assert (solo["champions"], solo["status"], solo["days_since"]) == (
        1,
        "active",
        29,
    )  # ends tomorrow; new starts tomorrow
    dates = pd.DataFrame(
        {
            "started_on": ["2025-01-01", "2025-01-01", "2026-06-30", "2026-07-01"],
            "ended_on": ["2026-07-01", "2026-06-30", None, None],
        }
    )
    # until the day before the end; from the first day; not before the start
    assert champions.active_mask(dates, TODAY).tolist() == [True, False, True, False]


def test_a_team_without_headcount_has_no_target(covered):
    c = covered.loc["C"]
    assert (c["champions"], c["status"]) == (0, "none")
    assert pd.isna(c["target_met"])
    assert pd.isna(c["needed"])
    assert math.isnan(c["headcount"])


def test_a_parent_rolls_up_its_whole_subtree_and_says_so(covered):
    ops = covered.loc["Ops"]
    assert bool(ops["rolled_up"])
    assert not bool(covered.loc["A", "rolled_up"])
    assert ops["teams_covered"] == 4
    assert ops["headcount"] == 50 + 51 + 30  # C has none
    assert ops["headcount_missing"] == 1
    assert ops["champions"] == 4
    assert ops["needed"] == math.ceil(131 / 25)
    assert not ops["target_met"]
    assert (ops["teams_without"], ops["teams_quiet"], ops["leaf_teams"]) == (2, 1, 4)  # C and D; B
    assert (ops["status"], ops["last_activity"]) == ("active", "2026-05-31")
    org = covered.loc["All teams"]
    assert (org["champions"], org["headcount"], org["teams_without"]) == (5, 141, 2)
    table = champions.coverage_table(covered.reset_index(), 25).set_index("Team")
    assert table.loc["Ops (all, 4 teams)", "Target 1 per 25"] == "2 more needed (1 without headcount)"
    assert table.loc["Ops (all, 4 teams)", "Teams without a champion"] == "2 of 4"
    assert table.loc["A", "Target 1 per 25"] == "met"
    assert table.loc["C", "Target 1 per 25"] == "no headcount"
    assert table.loc["B", "Status"] == "Quiet (no activity in 30 days)"


def test_coverage_change_is_said_in_words():
    teams, roster, log = hand_teams(), hand_roster(), hand_activities()
    before = champions.coverage(teams, roster, log, TODAY, 25)
    after = champions.coverage(
        teams, roster, pd.concat([log, pd.DataFrame({"champion_id": [3], "happened_on": ["2026-06-30"]})]), TODAY, 25
    )
    assert (
        champions.describe_coverage_change(before, after, 3) == "B is now active (was quiet): last activity 2026-06-30."
    )
    assert champions.describe_coverage_change(before, after, 2) == "A stays active: last activity 2026-05-31."


def test_coverage_of_an_empty_workspace():
    empty = champions.coverage(
        hand_teams().iloc[0:0],
        hand_roster().iloc[0:0],
        hand_activities().iloc[0:0],
        TODAY,
        25,
    )
    assert empty["team"].tolist() == ["All teams"]
    assert empty["status"].tolist() == ["none"]


def test_the_quiet_days_follow_the_setting():
    # B's champions last logged a session 31 days before TODAY: quiet at 30 days, not at 60
    relaxed = champions.coverage(hand_teams(), hand_roster(), hand_activities(), TODAY, 25, quiet_days=60)
    assert relaxed.set_index("team").loc["B", "status"] == "active"
    table = champions.coverage_table(relaxed, 25, quiet_days=60).set_index("Team")
    assert table.loc["B", "Status"] == "Active"
    strict = champions.coverage(hand_teams(), hand_roster(), hand_activities(), TODAY, 25, quiet_days=7)
    assert champions.coverage_table(strict, 25, quiet_days=7).set_index("Team").loc["B", "Status"] == (
        "Quiet (no activity in 7 days)"
    )
    spec = json.dumps(charts.coverage_chart(strict, 25, title="Coverage", quiet_days=7).to_dict())
    assert "Quiet: no session logged in the last 7 days." in spec


def test_the_coverage_chart_draws_every_team_with_its_status_and_the_target(covered):
    spec = charts.coverage_chart(covered.reset_index(), 25, title="Coverage").to_dict()
    text = json.dumps(spec)
    assert "NaN" not in text
    assert "target: 1 per 25" in text
    rows = next(rows for rows in spec["datasets"].values() if rows and "team_name" in rows[0])
    by_team = {row["team_name"]: row for row in rows}
    assert set(by_team) == {"Ops", "A", "B", "C", "D", "Solo"}
    assert by_team["B"]["status"] == "quiet"
    assert by_team["D"]["label"] == "no active champion · 30 people"
    assert by_team["A"]["label"] == "1 per 25 · 2 champions"


# Champion effect -------------------------------------------------------------------------------


def effect_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two waves of readiness figures small enough to pool by hand, who was a champion when, and their sessions."""
    waves = pd.DataFrame({"id": [1, 2], "name": ["W1", "W2"], "opened_on": ["2026-01-10", "2026-04-10"]})
    teams = [
        # team, has_children, n, readiness, sd, suppressed
        (2, False, 10, 60.0, 10.0, False),  # A: an active champion in both waves
        (3, False, 20, 70.0, 20.0, False),  # B: a champion from 1 February, so in W2 only
        (4, False, 5, 50.0, 5.0, False),  # C: its champion stepped down the day W1 opened
        (5, False, 3, None, None, True),  # D: hidden, never counted
        (6, False, 12, 90.0, None, False),  # E: entered team means, no spread: left out
        (1, True, 50, 65.0, 15.0, False),  # the parent: only teams without teams below count
        (8, False, 9, 99.0, 9.0, False),  # G: a champion in post throughout who never logs a session: quiet
    ]
    rows = [
        {
            "wave_id": wave,
            "team_id": team,
            "has_children": children,
            "n": n,
            "direct_n": 0 if children else n,
            "readiness": mean,
            "readiness_sd": sd,
            "suppressed": hidden,
        }
        for wave in (1, 2)
        for team, children, n, mean, sd, hidden in teams
    ]
    roster = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "team_id": [2, 3, 4, 5, 6, 8],
            "started_on": ["2025-12-01", "2026-02-01", "2025-06-01", "2025-01-01", "2027-01-01", "2025-06-01"],
            "ended_on": [None, None, "2026-01-10", None, None, None],
        }
    )
    # A's champion holds a session every month, B's one on 1 April; C's champion was lively until the end.
    log = pd.DataFrame(
        {
            "champion_id": [1, 1, 1, 1, 2, 3],
            "happened_on": ["2025-12-20", "2026-01-05", "2026-03-01", "2026-04-01", "2026-04-01", "2026-01-09"],
        }
    )
    return pd.DataFrame(rows), roster, log, waves


def four_team_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """effect_inputs and a team F (index 40, no champion): two teams with and two without in W2."""
    frame, roster, log, waves = effect_inputs()
    extra = [
        {"wave_id": wave, "team_id": 7, "has_children": False, "n": 8, "direct_n": 8, "readiness": 40.0,
         "readiness_sd": 8.0, "suppressed": False}
        for wave in (1, 2)
    ]  # fmt: skip
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True), roster, log, waves


def test_the_champion_effect_counts_each_team_once_as_by_hand():
    # Issue 12: respondents pooled as if independent overstated it; champions are assigned to teams.
    frame, roster, log, waves = four_team_inputs()
    effect = champions.champion_effect(frame, roster, log, waves, min_teams=2).set_index("wave")

    w2 = effect.loc["W2"]  # with: A (60) and B (70); without: C (50) and F (40); G (99, quiet) left out
    assert (w2["with_teams"], w2["with_n"], w2["without_teams"], w2["without_n"]) == (2, 30, 2, 13)
    assert (w2["with_mean"], w2["without_mean"]) == (65.0, 45.0)
    assert w2["teams_quiet"] == 1
    assert w2["with_sd"] == pytest.approx(math.sqrt(50))  # the spread between teams, not respondents
    # Welch over teams: se² = 50/2 + 50/2 = 50, df = 50² / (25² + 25²) = 2.
    half = stats.t.ppf(0.975, 2) * math.sqrt(50)
    assert w2["df"] == pytest.approx(2.0)
    assert (w2["ci_low"], w2["ci_high"]) == (pytest.approx(20 - half), pytest.approx(20 + half))
    # Two teams against two can never be surer than 2 / C(4, 2) = 1/3.
    assert w2["p"] == pytest.approx(max(1 / 3, stats.ttest_ind([60, 70], [50, 40], equal_var=False).pvalue))
    w1 = effect.loc["W1"]  # with: A alone
    assert bool(w1["too_few"])
    assert math.isnan(w1["ci_low"])
    assert (w1["teams_quiet"], w1["teams_hidden"], w1["teams_entered"]) == (1, 1, 1)  # G, D and E left out


def test_a_quiet_champion_is_neither_active_nor_absent_in_the_effect():
    # Issue 12: the effect called a team "with an active champion" when its champion was merely in post,
    # while the Champions page and Programme health call that champion quiet.
    frame, roster, log, waves = four_team_inputs()
    effect = champions.champion_effect(frame, roster, log, waves, min_teams=2).set_index("wave")
    states = champions.champion_states(roster, log, date(2026, 4, 10))
    assert states.tolist() == ["active", "active", "not in post", "quiet", "not in post", "quiet"]  # D: hidden
    # G's 99 is in neither mean: counting it with the champions would give (60 + 70 + 99) / 3 = 76.3.
    assert effect.loc["W2", "with_mean"] == 65.0
    assert effect.loc["W2", "without_mean"] == 45.0
    # With quiet_days at 7, A's and B's sessions of 1 April are too old on 10 April: both go quiet, like G.
    strict = champions.champion_effect(frame, roster, log, waves, min_teams=2, quiet_days=7).set_index("wave")
    assert (strict.loc["W2", "with_teams"], strict.loc["W2", "teams_quiet"]) == (0, 3)
    # The same champion counts as active for the effect and on the Champions page's coverage.
    teams = pd.DataFrame(
        {"id": [2, 3, 4, 7, 8], "name": list("ABCFG"), "parent_id": pd.array([None] * 5, dtype="Int64"),
         "headcount": [10, 20, 5, 8, 9]}
    )  # fmt: skip
    status = champions.coverage(teams, roster, log, date(2026, 4, 10), 25).set_index("team")["status"]
    assert status[["A", "B", "C", "F", "G"]].tolist() == ["active", "active", "none", "none", "quiet"]

    text = champions.describe_effect(effect.reset_index(), 2)
    assert (
        "1 team whose champions were quiet (in post, no session in the 30 days before the wave opened) is left out."
        in text
    )
    table = champions.effect_table(effect.reset_index()).set_index("Wave")
    assert table.loc["W2", "Quiet teams left out"] == 1
    assert list(table.columns[:5]) == [
        "With an active champion", "n with (teams)", "No champion in post", "n without (teams)",
        "Quiet teams left out",
    ]  # fmt: skip


def test_the_effect_says_direction_and_uncertainty_per_wave_and_too_few_teams_to_tell():
    frame, roster, log, waves = four_team_inputs()
    effect = champions.champion_effect(frame, roster, log, waves, min_teams=2)
    text = champions.describe_effect(effect, 2)
    assert text.startswith(
        "In W2, teams with an active champion had a mean readiness index of 65.0 (2 teams, n = 30 respondents), "
        "teams with no champion in post 45.0 (2 teams, n = 13)"
    )
    assert "**no clear difference** (+20.0 points, 95% CI of the difference" in text
    assert "no clear difference in 1 wave; too few teams to tell in 1 wave" in text
    assert "This is an association, not cause" in text
    table = champions.effect_table(effect).set_index("Wave")
    assert table.loc["W1", "Reads as"] == "too few teams to tell (1 with, 3 without)"
    assert table.loc["W2", "n with (teams)"] == "30 (2)"
    # At the default of 4 teams per group, neither wave is tested.
    default = champions.champion_effect(frame, roster, log, waves)
    assert default["too_few"].all()
    assert "**too few teams to tell** (+20.0 points; a test needs at least 4 teams" in champions.describe_effect(
        default
    )
    lines = champions.effect_lines(effect)
    assert set(lines["group"]) == {"With an active champion", "No champion in post"}
    spec = json.dumps(charts.champion_effect_chart(lines, ["W1", "W2"], title="Effect").to_dict())
    assert "Respondents (n)" in spec
    assert "An association, not cause" in spec
    assert "Teams whose champions were quiet are left out" in spec


def demo_effect(demo_db) -> pd.DataFrame:
    """The demo's champion effect in its main initiative, as the Champions page computes it."""
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    roster, log = store.champions.champion_roster(demo_db), store.champions.champion_activity_log(demo_db)
    return champions.champion_effect(frame, roster, log, store.org.waves(demo_db, 1))


def test_the_demo_champion_effect_compares_active_champions_with_none_at_team_level(demo_db):
    # Issue 12: "6.2 points higher (+3.2 to +9.2)", "clear in 5 of 6 waves", respondents as independent;
    # then +5.4 (-13.5 to +24.3) with Distribution Centre's quiet champions counted as active.
    effect = demo_effect(demo_db)
    latest = effect.iloc[-1]
    assert (latest["with_teams"], latest["without_teams"], latest["teams_quiet"]) == (5, 4, 1)
    assert (latest["ci_low"], latest["ci_high"]) == (pytest.approx(-5.1, abs=0.05), pytest.approx(27.7, abs=0.05))
    text = champions.describe_effect(effect)
    assert "**no clear difference** (+11.3 points, 95% CI of the difference -5.1 to +27.7, teams as the unit)" in text
    assert "1 team whose champions were quiet" in text  # Distribution Centre: no session since October 2025
    assert "too few teams to tell in 1 wave" in text  # 2025 Q3: 3 teams with a champion
    assert effect["teams_quiet"].tolist() == [0, 0, 1, 1, 1, 1]


def test_no_effect_where_one_group_has_no_shown_team():
    frame, roster, log, waves = effect_inputs()
    only_hidden = frame.assign(suppressed=frame["team_id"].isin([2, 3]) | frame["suppressed"])
    effect = champions.champion_effect(only_hidden, roster, log, waves)
    assert effect["with_n"].tolist() == [0, 0]
    assert effect["difference"].isna().all()
    assert "nothing to compare yet" in champions.describe_effect(effect)
    assert champions.effect_table(effect)["Reads as"].tolist() == ["no comparison: a group has no shown team"] * 2


def test_the_demo_effect_counts_only_shown_leaf_teams(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    latest = demo_effect(demo_db).iloc[-1]
    shown = frame[(frame["wave_id"] == latest["wave_id"]) & ~frame["has_children"] & (frame["team_id"] != 0)]
    shown = shown[~shown["suppressed"].astype(bool)]
    assert latest["with_teams"] + latest["without_teams"] + latest["teams_quiet"] == len(shown)
    assert latest["with_n"] + latest["without_n"] < shown["n"].sum()  # the quiet team's people are left out
    assert latest["teams_hidden"] == 2  # Customer Insight and Complaints Resolution


# Roster and activity writes --------------------------------------------------------------------


@pytest.fixture
def teams_db(db):
    store.insert_rows(db, "teams", [{"id": 1, "name": "Stores North"}, {"id": 2, "name": "Contact Centre"}])
    return db


@pytest.mark.parametrize(
    ("alias", "team", "start", "end", "message"),
    [
        ("  ", "Stores North", "2026-01-05", None, "Name or alias: (empty): every champion needs a name or an alias."),
        ("Priya", "Stores East", "2026-01-05", None, "Team: 'Stores East' is not a team of this workspace."),
        ("Priya", "Stores North", "05/01/2026", None, "Start: '05/01/2026' is not a date; write it as YYYY-MM-DD"),
        ("Priya", "Stores North", None, None, "Start: (empty): every champion needs a start date."),
        ("Priya", "Stores North", "2026-01-05", "2026-01-04", "End: 2026-01-04 is before the start, 2026-01-05."),
    ],
)
def test_a_bad_roster_entry_is_named_and_not_written(teams_db, alias, team, start, end, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        services.add_champion(teams_db, alias, team, start, end)
    assert store.count(teams_db, "champions") == 0


def test_add_edit_and_retire_a_champion(teams_db):
    first = services.add_champion(teams_db, " Priya  S. ", "stores north", date(2026, 1, 5))
    with pytest.raises(ValueError, match="Priya S. is already in the roster of that team from 2026-01-05"):
        services.add_champion(teams_db, "priya s.", "Stores North", "2026-01-05")
    second = services.add_champion(teams_db, "Tom", "Contact Centre", "2026-02-01")
    services.add_champion_activity(teams_db, first, "huddle", "2026-03-01", 9, "first huddle", today=TODAY)

    with pytest.raises(ValueError, match="Priya S. logged a session") as raised:  # one bad edit: nothing written
        services.update_champions(
            teams_db,
            [
                {"id": second, "alias": "Tom B.", "team": "Contact Centre", "started_on": "2026-02-01"},
                {"id": first, "alias": "Priya S.", "team": "Stores North", "started_on": "2026-03-05"},
            ],
        )
    assert str(raised.value) == (
        "Priya S. logged a session on 2026-03-01, before the new start 2026-03-05: start on or before it."
    )
    assert set(store.champions.champion_roster(teams_db)["alias"]) == {"Priya S.", "Tom"}

    changed = services.update_champions(
        teams_db, [{"id": second, "alias": "Tom B.", "team": "Contact Centre", "started_on": date(2026, 2, 1)}]
    )
    assert changed == 1
    with pytest.raises(ValueError, match="Priya S. logged a session on 2026-03-01, after the new end 2026-02-28"):
        services.retire_champion(teams_db, first, "2026-02-28")
    services.retire_champion(teams_db, first, date(2026, 3, 1))
    roster = store.champions.champion_roster(teams_db).set_index("alias")
    assert roster.loc["Priya S.", "ended_on"] == "2026-03-01"
    assert roster.loc["Tom B.", "team"] == "Contact Centre"
    with pytest.raises(ValueError, match="There is no champion with id 99"):
        services.retire_champion(teams_db, 99, "2026-03-01")


@pytest.mark.parametrize(
    ("kind", "day", "people", "message"),
    [
        ("coffee", "2026-03-01", 5, "Kind: 'coffee' is not one of huddle, workshop, feedback session"),
        ("huddle", "2026-07-01", 5, "Date: 2026-07-01 is after today (2026-06-30)."),
        ("huddle", "2025-12-31", 5, "Date: 2025-12-31 is before Priya became a champion (2026-01-05)."),
        ("huddle", "2026-03-01", -2, "People reached: -2 is not a whole number of 0 or more."),
        ("huddle", "2026-03-01", None, "People reached: (empty): say how many people took part (0 if none)."),
        ("huddle", "1 March", 5, "Date: '1 March' is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_a_bad_session_is_named_and_not_logged(teams_db, kind, day, people, message):
    champion = services.add_champion(teams_db, "Priya", "Stores North", "2026-01-05")
    with pytest.raises(ValueError, match=re.escape(message)):
        services.add_champion_activity(teams_db, champion, kind, day, people, today=TODAY)
    assert store.count(teams_db, "champion_activities") == 0


def test_a_session_after_a_champion_stepped_down_is_refused(teams_db):
    champion = services.add_champion(teams_db, "Priya", "Stores North", "2026-01-05", "2026-03-31")
    services.add_champion_activity(teams_db, champion, "workshop", "2026-03-31", 20, today=TODAY)  # their last day
    with pytest.raises(ValueError, match=r"Date: 2026-04-01 is after Priya stepped down \(2026-03-31\)\."):
        services.add_champion_activity(teams_db, champion, "workshop", "2026-04-01", 20, today=TODAY)
    assert store.champions.champion_activity_log(teams_db)["people_reached"].tolist() == [20]


# The roster grid -------------------------------------------------------------------------------


def hand_grid() -> pd.DataFrame:
    """The hand roster as the page's editor shows it, team names from hand_teams."""
    names = dict(zip(hand_teams()["id"], hand_teams()["name"], strict=True))
    roster = hand_roster().assign(team=lambda frame: frame["team_id"].map(names))
    return champions.roster_grid(roster, hand_activities().assign(people_reached=10), TODAY)


def test_the_roster_grid_shows_dates_as_dates_and_how_active_each_champion_is():
    grid = hand_grid().set_index("Name or alias")
    assert grid.loc["d1", ["id", "Team", "Start", "End"]].tolist() == [5, "D", date(2025, 1, 1), date(2026, 6, 30)]
    assert grid.loc["a1", "End"] is None
    assert grid.loc["d1", "Active today"] == "stepped down"
    assert grid.loc["solo-new", "Active today"] == "not yet"
    assert grid.loc["a1", ["Last activity", "Sessions"]].tolist() == ["2026-05-31", 1]
    assert grid.loc["b2", ["Last activity", "Sessions"]].tolist() == ["none yet", 0]


def test_an_unchanged_grid_gives_no_edit():
    grid = hand_grid()
    assert champions.roster_edits(grid, grid.copy()) == []


def test_nan_against_none_a_date_picked_again_or_extra_spaces_give_no_edit():
    grid = hand_grid()
    edited = grid.copy()
    edited["End"] = edited["End"].astype(object).where(edited["End"].notna(), float("nan"))  # as the editor returns
    edited.at[0, "Start"] = pd.Timestamp("2026-01-01")
    edited.at[1, "Start"] = "2026-02-01"
    edited.at[2, "Name or alias"] = " b1 "
    assert champions.roster_edits(grid, edited) == []


def test_an_emptied_end_date_is_an_edit():
    grid = hand_grid()
    edited = grid.copy()
    edited.at[4, "End"] = None
    assert champions.roster_edits(grid, edited) == [
        {"id": 5, "alias": "d1", "team": "D", "started_on": date(2025, 1, 1), "ended_on": None}
    ]


def test_a_changed_team_is_one_edit_naming_the_champion_and_every_field():
    grid = hand_grid()
    edited = grid.copy()
    edited.at[1, "Team"] = "B"
    assert champions.roster_edits(grid, edited) == [
        {"id": 2, "alias": "a2", "team": "B", "started_on": date(2026, 2, 1), "ended_on": None}
    ]


def test_a_date_that_is_no_date_is_an_edit_the_check_then_names(teams_db):
    champion = services.add_champion(teams_db, "Priya S.", "Stores North", "2026-01-05")
    roster = store.champions.champion_roster(teams_db)
    grid = champions.roster_grid(roster, store.champions.champion_activity_log(teams_db), TODAY)
    assert champions.roster_edits(grid, grid.copy()) == []  # the stored roster, NULL end and all
    edited = grid.copy()
    edited.at[0, "Start"] = "5 Jan"
    [edit] = champions.roster_edits(grid, edited)
    assert edit["id"] == champion
    assert edit["started_on"] == "5 Jan"
    with pytest.raises(ValueError, match="'5 Jan' is not a date"):
        services.update_champions(teams_db, [edit])


# Roster import ---------------------------------------------------------------------------------

GOOD = b"name,team,start,end\nPriya S.,Stores North,2026-01-05,\nTom B.,Contact Centre,2026-02-01,2026-05-31\n"


def test_a_dry_run_says_what_happens_to_every_row_and_writes_nothing(teams_db):
    data = GOOD + b",,,\nPriya S.,Stores North,2026-01-05,\n"
    preview = services.import_roster(teams_db, data, "roster.csv", dry_run=True)
    assert preview.plan.table()[["Row", "What happens"]].values.tolist() == [
        [2, "will be added"],
        [3, "will be added"],
        [4, "skipped: blank row"],
        [5, "skipped: the same champion as row 2"],
    ]
    assert preview.summary() == "Would import 2 champions from roster.csv; 2 rows skipped."
    assert store.count(teams_db, "champions") == 0
    assert store.count(teams_db, "import_batches") == 0


def test_an_import_is_one_batch_and_the_same_file_again_changes_nothing(teams_db):
    done = services.import_roster(teams_db, GOOD, "roster.csv", imported_by="test")
    assert done.summary() == f"Imported 2 champions from roster.csv as batch {done.batch_id}; 0 rows skipped."
    roster = store.champions.champion_roster(teams_db).set_index("alias")
    assert roster["batch_id"].tolist() == [done.batch_id] * 2
    assert roster.loc["Tom B.", "ended_on"] == "2026-05-31"
    batch = store.champions.champion_batches(teams_db).iloc[0]
    assert (batch["file_name"], batch["champions"], batch["imported_by"]) == ("roster.csv", 2, "test")

    again = services.import_roster(teams_db, GOOD, "roster-copy.csv")
    assert again.already_imported["id"] == done.batch_id
    assert again.summary().startswith("roster-copy.csv was already imported on ")
    assert again.summary().endswith(f"(batch {done.batch_id}): nothing changed.")
    assert store.count(teams_db, "champions") == 2
    assert store.count(teams_db, "import_batches") == 1

    # Other bytes, same champions and one new: the known rows are skipped by row number.
    more = GOOD.replace(b"\n", b"\r\n") + b"Lena F.,Stores North,2026-03-01,\r\n"
    later = services.import_roster(teams_db, more, "roster-2.csv")
    assert [(r.row, r.reason) for r in later.plan.rows if r.outcome != "add"] == [
        (2, "skipped: already in the roster (same name, team and start)"),
        (3, "skipped: already in the roster (same name, team and start)"),
    ]
    assert store.count(teams_db, "champions") == 3
    outcomes = json.loads(teams_db.execute("SELECT row_outcomes FROM import_batches ORDER BY id DESC").fetchone()[0])
    assert outcomes["counts"] == {"duplicate": 2, "add": 1}
    assert [row["row"] for row in outcomes["rows"]] == [2, 3]

    nothing_new = services.import_roster(teams_db, more + b"\r\n", "roster-3.csv")
    assert nothing_new.summary() == "Every champion in roster-3.csv is already in the roster: nothing changed."
    assert not nothing_new.written
    assert store.count(teams_db, "import_batches") == 2


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (b",Stores North,2026-01-05,", "Row 3, name: (empty): every champion needs a name or an alias."),
        (b"Lena,Stores East,2026-01-05,", "Row 3, team: 'Stores East' is not a team of this workspace."),
        (
            b"Lena,Stores North,2026-13-05,",
            "Row 3, start: '2026-13-05' is not a date; write it as YYYY-MM-DD (e.g. 2026-03-31).",
        ),
        (b"Lena,Stores North,,", "Row 3, start: (empty): every champion needs a start date."),
        (
            b"Lena,Stores North,2026-01-05,soon",
            "Row 3, end: 'soon' is not a date; write it as YYYY-MM-DD (e.g. 2026-03-31).",
        ),
        (b"Lena,Stores North,2026-01-05,2025-12-31", "Row 3, end: 2025-12-31 is before the start, 2026-01-05."),
    ],
)
def test_every_bad_row_is_named_by_row_column_and_value_and_nothing_is_written(teams_db, row, problem):
    data = b"name,team,start,end\nPriya S.,Stores North,2026-01-05,\n" + row + b"\n"
    result = services.import_roster(teams_db, data, "roster.csv")
    assert result.plan.problems == [problem]
    assert result.summary() == "Nothing can be imported from roster.csv until this problem is fixed."
    assert not result.written
    assert store.count(teams_db, "champions") == 0  # the good row is not written either
    assert store.count(teams_db, "import_batches") == 0
    assert result.plan.table()["What happens"].tolist()[0] == "will be added"
    assert result.plan.table()["What happens"].tolist()[1].startswith("error: ")


def test_a_file_without_a_name_team_or_start_column_is_refused(teams_db):
    with pytest.raises(ImportRejected, match="needs a column for the name or alias, start"):
        services.import_roster(teams_db, b"team,from_when\nStores North,2026-01-01\n", "roster.csv")
    with pytest.raises(ImportRejected, match="two columns for the name or alias: 'name' and 'Alias'"):
        services.import_roster(teams_db, b"name,Alias,team,start\nA,B,Stores North,2026-01-01\n", "roster.csv")


def test_an_excel_semicolon_file_and_an_xlsx_read_as_they_come(teams_db):
    semicolon = "Champion;Team;Start date;End date;Site\nZoë;stores  north;2026-01-05;;Leeds\n".encode("cp1252")
    result = services.import_roster(teams_db, semicolon, "roster.csv")
    assert result.ignored_columns == ["Site"]
    assert store.champions.champion_roster(teams_db)[["alias", "team"]].values.tolist() == [["Zoë", "Stores North"]]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Team", "Start", "End"])
    sheet.append(["Mei", "Contact Centre", datetime(2026, 2, 3), None])
    buffer = io.BytesIO()
    book.save(buffer)
    services.import_roster(teams_db, buffer.getvalue(), "roster.xlsx")
    roster = store.champions.champion_roster(teams_db).set_index("alias")
    assert roster.loc["Mei", "started_on"] == "2026-02-03"


def test_undo_removes_the_batch_and_its_champions_and_nothing_else(teams_db):
    own = services.add_champion(teams_db, "Own", "Stores North", "2026-01-01")
    services.add_champion_activity(teams_db, own, "huddle", "2026-02-01", 5, today=TODAY)
    kept = services.import_roster(teams_db, b"name,team,start\nKept,Contact Centre,2026-01-01\n", "kept.csv").batch_id
    gone = services.import_roster(teams_db, GOOD, "roster.csv").batch_id
    imported = int(store.champions.champion_roster(teams_db).set_index("alias").loc["Priya S.", "id"])
    services.add_champion_activity(teams_db, imported, "workshop", "2026-02-01", 12, today=TODAY)

    assert services.undo_champion_batch(teams_db, gone) == {"champions": 2, "activities": 1}
    assert sorted(store.champions.champion_roster(teams_db)["alias"]) == ["Kept", "Own"]
    assert store.champions.champion_activity_log(teams_db)["alias"].tolist() == ["Own"]
    assert store.champions.champion_batches(teams_db)["id"].tolist() == [kept]
    with pytest.raises(ValueError, match=f"There is no roster import with batch number {gone}"):
        services.undo_champion_batch(teams_db, gone)
    # Undone, the same file may come in again.
    assert services.import_roster(teams_db, GOOD, "roster.csv").written


def test_one_definition_of_an_active_champion_champions_page_and_programme_health_agree(demo_db):
    # Issue 12: the Champions page said 6 of 12 teams without one, Programme health 5 of 12 with one.
    from cxchange import health

    settings = store.settings.settings(demo_db)
    today = sample_data.LAST_DAY  # the day the pages count from in the demo
    roster, log = store.champions.champion_roster(demo_db), store.champions.champion_activity_log(demo_db)
    rows = champions.coverage(
        store.org.teams(demo_db, archived=False), roster, log, today, settings["champion_ratio"],
        int(settings["champion_quiet_days"]),
    )  # fmt: skip
    summary = champions.coverage_summary(rows)
    data = health.HealthData.from_frames(store.health.health_inputs(demo_db, 1), settings["stale_weeks"], settings)
    light = next(light for light in health.assess(data, today) if light.check.name == "champions")
    active = summary["teams"] - summary["teams_without"] - summary["teams_quiet"]
    assert (summary["teams"], summary["teams_without"], summary["teams_quiet"]) == (12, 6, 1)
    assert light.reason.startswith(f"{active} of 12 teams taking part have an active champion")
    assert f"quiet (in post, no session in 30 days): {summary['quiet'][0]}" in light.reason
    states = champions.champion_states(roster, log, today)
    assert set(states) <= set(champions.CHAMPION_STATES)
    assert roster.loc[states == "active", "team_id"].nunique() == active
