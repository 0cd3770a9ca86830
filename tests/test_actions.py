"""The action log: checks that name the field and value, overdue by the day, closing dates, and what moved
after a done action (hand-built readiness frames for each call, then the demo's stories)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxchange import access, actions, analysis, sample_data, services, store, workshop
from cxchange.access import Actor
from cxchange.model import ELEMENTS

TODAY = date(2026, 11, 20)


# Checks ------------------------------------------------------------------------------------------


ACCOUNTABLE = {"owner": "Priya S., store manager", "due_on": "2026-12-15"}
"""An owner and a due date: what every new action needs."""


def problems_of(**values) -> list[str]:
    with pytest.raises(actions.ActionProblems) as refused:
        actions.check_new_action(
            {"title": "Run a huddle", **values} | {k: v for k, v in ACCOUNTABLE.items() if k not in values}
        )
    return refused.value.problems


def test_every_refused_field_is_named_with_its_value():
    assert problems_of(title="  ") == ["Title is empty: say what will be done."]
    assert problems_of(element="Knowlege") == [
        "Element: 'Knowlege' is not an ADKAR element; choose Awareness, Desire, Knowledge, Ability or "
        "Reinforcement, or leave it empty."
    ]
    assert problems_of(kotter_step=9) == [
        "Kotter step: 9 is not one of Kotter's steps 1 to 8; leave it empty for none."
    ]
    assert problems_of(kotter_step=2.5) == [
        "Kotter step: 2.5 is not one of Kotter's steps 1 to 8; leave it empty for none."
    ]
    assert problems_of(due_on="31/12/2026") == [
        "Due: '31/12/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31."
    ]
    assert problems_of(status="closed") == [
        "Status: 'closed' is not a status; choose open, in progress, done or dropped."
    ]
    assert problems_of(source="email") == [
        "Source: 'email' is not a source; choose workshop, review, survey comment or other, or leave it empty."
    ]
    assert problems_of(votes=-1) == ["Votes: -1 must be a whole number, 0 or more."]


def test_all_problems_of_one_action_are_reported_together():
    found = problems_of(title="", element="trust", due_on="soon")
    assert [problem.split(":")[0].split(" ")[0] for problem in found] == ["Title", "Element", "Due"]


def test_a_new_action_needs_an_owner_and_a_due_date():
    assert problems_of(owner=" ", due_on=None) == [
        "Owner is empty: name the person who will see it done (and their role, if you like).",
        "Due is empty: give the day it is due, as YYYY-MM-DD, so it can be followed up.",
    ]
    with pytest.raises(actions.ActionProblems) as refused:
        actions.check_new_action({"title": "Run a huddle"})  # neither given at all
    assert [problem.split(" ")[0] for problem in refused.value.problems] == ["Owner", "Due"]
    assert problems_of(due_on="soon") == ["Due: 'soon' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31."]


def test_checks_tidy_what_they_accept():
    clean = actions.check_new_action(
        {
            "title": "  Weekly   huddle ",
            "owner": "  Priya ",
            "element": "Knowledge",
            "kotter_step": "5",
            "due_on": date(2026, 12, 1),
            "source": "Survey Comment",
        }
    )
    assert clean == {
        "title": "Weekly huddle",
        "owner": "Priya",
        "element": "knowledge",
        "kotter_step": 5,
        "due_on": "2026-12-01",
        "source": "survey comment",
    }
    assert actions.check_new_action({"title": "x", **ACCOUNTABLE, "element": "", "kotter_step": None}) == {
        "title": "x",
        "owner": "Priya S., store manager",
        "due_on": "2026-12-15",
        "element": None,
        "kotter_step": None,
    }


def test_one_owner_check_for_an_action_and_an_initiative():
    assert actions.check_owner("  Priya   S. ") == "Priya S."
    assert actions.check_owner(" ") is None  # an action may have no owner
    with pytest.raises(ValueError, match="give the owner's name"):
        actions.check_owner(" ", required=True)  # an initiative needs one
    assert actions.check_owner("x" * actions.OWNER_LIMIT, required=True) == "x" * actions.OWNER_LIMIT
    with pytest.raises(ValueError, match=f"keep it to {actions.OWNER_LIMIT}"):
        actions.check_owner("x" * (actions.OWNER_LIMIT + 1), required=True)


def test_a_team_must_belong_to_the_workspace():
    with pytest.raises(actions.ActionProblems, match="Team: 99 is not a team of this workspace."):
        actions.check_new_action({"title": "x", **ACCOUNTABLE, "team_id": 99}, team_ids={1, 2})
    assert actions.check_new_action({"title": "x", **ACCOUNTABLE, "team_id": 2}, team_ids={1, 2})["team_id"] == 2


# Storage -----------------------------------------------------------------------------------------


@pytest.fixture
def org(db):
    """An empty workspace with one initiative and two teams."""
    with store.write_transaction(db):
        initiative = store.org.add_initiative(db, "Customer First", "2026-01-01")
        teams = store.org.add_teams(db, ["Stores", "Contact Centre"])
    return db, initiative, teams


def test_an_added_action_is_open_and_created_today(org):
    db, initiative, teams = org
    action_id = services.add_action(
        db, initiative, "Train the returns desk", owner="Priya", team_id=teams["Stores"], element="Knowledge",
        due_on="2026-12-01", source="workshop", today=TODAY,
    )  # fmt: skip
    [row] = store.actions.initiative_actions(db, initiative).to_dict("records")
    assert row["id"] == action_id
    assert (row["title"], row["team"], row["element"], row["status"]) == (
        "Train the returns desk",
        "Stores",
        "knowledge",
        "open",
    )
    assert (row["created_on"], row["due_on"], row["votes"]) == ("2026-11-20", "2026-12-01", 0)
    assert pd.isna(row["closed_on"])


def test_a_refused_action_writes_nothing(org):
    db, initiative, teams = org
    with pytest.raises(ValueError, match="Due: '2026-02-30' is not a date"):
        services.add_action(db, initiative, "Huddle", owner="Priya", due_on="2026-02-30", today=TODAY)
    with pytest.raises(ValueError, match="Team: 999 is not a team of this workspace."):
        services.add_action(db, initiative, "Huddle", team_id=999, **ACCOUNTABLE, today=TODAY)
    with pytest.raises(ValueError, match="Initiative: 42 is not an initiative of this workspace."):
        services.add_action(db, 42, "Huddle", **ACCOUNTABLE, today=TODAY)
    with pytest.raises(ValueError, match="Owner is empty: name the person who will see it done"):
        services.add_action(db, initiative, "Huddle", due_on="2026-12-01", today=TODAY)
    with pytest.raises(ValueError, match="Workshop session: 7 is not a session of this initiative"):
        services.add_action(db, initiative, "Huddle", **ACCOUNTABLE, session_id=7, today=TODAY)
    assert store.count(db, "actions") == 0


def test_closing_sets_the_closing_date_and_reopening_clears_it(org):
    db, initiative, _ = org
    action_id = services.add_action(db, initiative, "Huddle", owner="Sam", due_on="2026-02-01", today=date(2026, 1, 5))
    applied = services.update_actions(db, [{"id": action_id, "status": "done", "owner": " Priya "}], today=TODAY)
    assert actions.describe_applied(applied) == [
        "“Huddle”: owner Sam → Priya; status open → done; closed on 2026-11-20"
    ]
    stored = store.actions.initiative_actions(db, initiative).iloc[0]
    assert (stored["status"], stored["closed_on"], stored["owner"]) == ("done", "2026-11-20", "Priya")

    services.update_actions(db, [{"id": action_id, "status": "dropped"}], today=date(2026, 12, 1))
    assert (
        store.actions.initiative_actions(db, initiative).iloc[0]["closed_on"] == "2026-11-20"
    )  # still closed since then

    applied = services.update_actions(db, [{"id": action_id, "status": "in progress"}], today=date(2026, 12, 2))
    assert actions.describe_applied(applied) == ["“Huddle”: status dropped → in progress; closing date cleared"]
    assert pd.isna(store.actions.initiative_actions(db, initiative).iloc[0]["closed_on"])


def test_an_edit_equal_to_what_is_stored_changes_nothing(org):
    db, initiative, _ = org
    action_id = services.add_action(db, initiative, "Huddle", owner="Priya", due_on="2026-12-01", today=TODAY)
    assert services.update_actions(db, [{"id": action_id, "owner": "  Priya", "status": "open"}], today=TODAY) == []


def test_one_bad_edit_stops_every_edit(org):
    db, initiative, _ = org
    first = services.add_action(db, initiative, "Huddle", **ACCOUNTABLE, today=TODAY)
    second = services.add_action(db, initiative, "Training", **ACCOUNTABLE, today=TODAY)
    with pytest.raises(actions.ActionProblems) as refused:
        services.update_actions(
            db,
            [{"id": first, "status": "done"}, {"id": second, "status": "finished"}, {"id": 77, "status": "done"}],
            today=TODAY,
        )
    assert refused.value.problems == [
        "“Training”, Status: 'finished' is not a status; choose open, in progress, done or dropped.",
        "There is no action with id 77 in this workspace.",
    ]
    assert set(store.actions.initiative_actions(db, initiative)["status"]) == {"open"}


def test_votes_are_set_whole_or_not_at_all(org):
    db, initiative, _ = org
    first = services.add_action(db, initiative, "Huddle", **ACCOUNTABLE, today=TODAY)
    second = services.add_action(db, initiative, "Training", **ACCOUNTABLE, today=TODAY)
    services.set_votes(db, {first: 3, second: 0})
    with pytest.raises(ValueError, match="“Training”, Votes: -2 must be a whole number, 0 or more."):
        services.set_votes(db, {first: 5, second: -2})
    votes = store.actions.initiative_actions(db, initiative).set_index("title")["votes"]
    assert votes.to_dict() == {"Huddle": 3, "Training": 0}


# Overdue -----------------------------------------------------------------------------------------


def log(*rows: dict) -> pd.DataFrame:
    """Actions as db.initiative_actions returns them, from the fields a test cares about."""
    defaults = {
        "initiative_id": 1, "team_id": None, "team": None, "owner": None, "element": None, "kotter_step": None,
        "due_on": None, "status": "open", "source": None, "created_on": "2026-01-01", "closed_on": None, "votes": 0,
    }  # fmt: skip
    frame = pd.DataFrame(
        [defaults | {"title": f"Action {number}", "id": number} | row for number, row in enumerate(rows, 1)]
    )
    return frame.astype({"team_id": "Int64", "kotter_step": "Int64"})


def test_due_today_is_not_overdue_but_due_yesterday_is():
    actions_log = log(
        {"title": "due today", "due_on": "2026-11-20"},
        {"title": "due yesterday", "due_on": "2026-11-19", "status": "in progress"},
        {"title": "long ago", "due_on": "2026-06-30"},
        {"title": "done late", "due_on": "2026-06-30", "status": "done", "closed_on": "2026-08-01"},
        {"title": "dropped", "due_on": "2026-06-30", "status": "dropped", "closed_on": "2026-08-01"},
        {"title": "no date"},
    )
    late = actions.overdue(actions_log, TODAY)
    assert late["title"].tolist() == ["long ago", "due yesterday"]
    assert late["days_overdue"].tolist() == [143, 1]
    assert [actions.overdue_text(days) for days in late["days_overdue"]] == ["143 days overdue", "1 day overdue"]
    assert actions.summary(actions_log, TODAY) == {
        "open": 3,
        "in progress": 1,
        "done": 1,
        "dropped": 1,
        "overdue": 2,
    }


def test_filters_by_team_status_and_overdue():
    actions_log = log(
        {"team_id": 1, "team": "Stores", "due_on": "2026-01-01"},
        {"team_id": 2, "team": "Contact Centre", "status": "done", "closed_on": "2026-02-01"},
        {"due_on": "2026-12-31"},
    )
    assert actions.filter_actions(actions_log, TODAY, team_ids={2})["id"].tolist() == [2]
    assert actions.filter_actions(actions_log, TODAY, statuses=["open"])["id"].tolist() == [1, 3]
    assert actions.filter_actions(actions_log, TODAY, overdue_only=True)["id"].tolist() == [1]
    assert actions.filter_actions(actions_log, TODAY)["id"].tolist() == [1, 2, 3]


def test_the_log_table_flags_overdue_rows_and_reads_back_the_edits():
    actions_log = log(
        {"team_id": 1, "team": "Stores", "due_on": "2026-11-01", "element": "knowledge", "kotter_step": 5},
        {"due_on": "2026-12-31", "owner": "Priya"},
    )
    table = actions.log_table(actions_log, TODAY)
    assert table["Overdue"].tolist() == ["⚠ 19 days overdue", ""]
    assert table["Team"].tolist() == ["Stores", actions.NO_TEAM]
    assert table.loc[1, "Targets"] == "Knowledge · Kotter 5: Enable action by removing barriers"
    assert table.loc[1, "Due"] == date(2026, 11, 1)

    edited = table.copy()
    edited.loc[1, "Status"] = "done"
    edited.loc[2, "Owner"] = "  Priya "  # the same owner, typed again
    edited.loc[2, "Due"] = "2027-01-15"
    assert actions.edits(table, edited) == [{"id": 1, "status": "done"}, {"id": 2, "due_on": "2027-01-15"}]
    edited.loc[2, "Due"] = "15/01/2027"
    assert actions.edits(table, edited)[1] == {"id": 2, "due_on": "15/01/2027"}  # left for the check to name


def test_you_said_we_did_lists_done_actions_by_team_in_hierarchy_order():
    teams = pd.DataFrame(
        {"id": [1, 2, 3], "name": ["Stores", "Stores North", "Contact Centre"], "parent_id": [None, 1, None]}
    ).astype({"parent_id": "Int64"})
    actions_log = log(
        {"team_id": 2, "team": "Stores North", "status": "done", "closed_on": "2026-03-01"},
        {"team_id": 3, "team": "Contact Centre", "status": "done", "closed_on": "2026-02-01"},
        {"status": "done", "closed_on": "2026-05-01"},
        {"team_id": 3, "team": "Contact Centre", "status": "done", "closed_on": "2026-06-01"},
        {"team_id": 1, "team": "Stores", "status": "open"},
    )
    done = actions.you_said_we_did(actions_log, teams)
    assert list(zip(done["team"], done["closed_on"], strict=True)) == [
        ("Contact Centre", "2026-06-01"),
        ("Contact Centre", "2026-02-01"),
        ("Stores North", "2026-03-01"),
        (actions.NO_TEAM, "2026-05-01"),
    ]


# What moved after an action ----------------------------------------------------------------------

WAVES = pd.DataFrame(
    {"id": [1, 2, 3], "name": ["W1", "W2", "W3"], "opened_on": ["2026-01-12", "2026-04-13", "2026-07-13"]}
)


def figures(*cells: tuple) -> pd.DataFrame:
    """A readiness frame by hand: (wave_id, team_id, knowledge mean, n, sd, suppressed) per row."""
    rows = []
    for wave_id, team_id, mean, n, sd, suppressed in cells:
        wave = WAVES.set_index("id").loc[wave_id]
        row = {
            "wave_id": wave_id, "wave": wave["name"], "opened_on": wave["opened_on"], "team_id": team_id,
            "team": f"Team {team_id}", "order": team_id, "n": n, "suppressed": suppressed,
        }  # fmt: skip
        for element in ELEMENTS:
            row[element] = np.nan if suppressed else (mean if element == "knowledge" else 3.0)
            row[f"{element}_sd"] = np.nan if suppressed else sd
        rows.append(row)
    return pd.DataFrame(rows)


def done(team_id: int | None, closed_on: str, element: str | None = "knowledge") -> dict:
    return {
        "team_id": team_id,
        "team": f"Team {team_id}" if team_id else None,
        "element": element,
        "status": "done",
        "closed_on": closed_on,
    }


def test_a_significant_rise_is_up_with_its_n_and_points():
    frame = figures((1, 1, 2.6, 120, 0.6, False), (2, 1, 3.4, 118, 0.6, False))
    [effect] = actions.action_effects(log(done(1, "2026-03-27")), frame, WAVES).to_dict("records")
    assert (effect["before_wave"], effect["after_wave"], effect["call"]) == ("W1", "W2", "up")
    assert (effect["n_before"], effect["n_after"]) == (120, 118)
    assert effect["delta"] == pytest.approx(0.8)
    assert effect["sentence"] == (
        "Knowledge up 0.80 points, W1 → W2: 2.60 → 3.40 on 1–5, n = 120 → 118 (adjusted p < 0.001)."
    )


def test_a_significant_fall_is_down():
    frame = figures((1, 1, 3.6, 80, 0.5, False), (2, 1, 3.1, 80, 0.5, False))
    [effect] = actions.action_effects(log(done(1, "2026-03-27")), frame, WAVES).to_dict("records")
    assert effect["call"] == "down"
    assert effect["sentence"].startswith("Knowledge down 0.50 points, W1 → W2")


def test_welch_p_is_corrected_across_the_actions_shown():
    # One team alone: delta 0.5, sd 1, n 40 each gives p ≈ 0.028, up. Beside a second tested action with
    # p ≈ 0.93, Benjamini–Hochberg doubles it past 0.05: no clear change.
    frame = figures(
        (1, 1, 3.0, 40, 1.0, False), (2, 1, 3.5, 40, 1.0, False),
        (1, 2, 3.0, 40, 1.0, False), (2, 2, 3.02, 40, 1.0, False),
    )  # fmt: skip
    p = stats.ttest_ind_from_stats(3.5, 1.0, 40, 3.0, 1.0, 40, equal_var=False).pvalue
    assert 0.025 < p < 0.05
    [alone] = actions.action_effects(log(done(1, "2026-03-27")), frame, WAVES).to_dict("records")
    assert (alone["call"], alone["p"]) == ("up", pytest.approx(p))
    both = actions.action_effects(log(done(1, "2026-03-27"), done(2, "2026-03-27")), frame, WAVES)
    assert both["call"].tolist() == ["no clear change", "no clear change"]
    assert both["p_adjusted"].iloc[0] == pytest.approx(2 * p)
    assert "adjusted p = 0.05" in both["sentence"].iloc[0]
    assert "a change under about" in both["sentence"].iloc[0]
    # The detectable change is at the level of these calls: none called of two, so p ≤ 0.05 / 2 was needed.
    expected = analysis.minimum_detectable_change(1.0, 40, 40, 0.025)
    assert both["mdc"].iloc[0] == pytest.approx(expected)
    assert f"a change under about {expected:.2f} would not show" in both["sentence"].iloc[0]


def test_entered_team_means_cannot_be_tested():
    frame = figures((1, 1, 2.6, 12, np.nan, False), (2, 1, 3.4, 14, np.nan, False))
    [effect] = actions.action_effects(log(done(1, "2026-03-27")), frame, WAVES).to_dict("records")
    assert effect["call"] == "no test possible"
    assert np.isnan(effect["p_adjusted"])
    assert effect["sentence"] == (
        "No test possible for Knowledge, W1 → W2: team-level entries carry no respondent data "
        "(2.60 → 3.40 on 1–5, n = 12 → 14, +0.80 points)."
    )


def test_a_team_hidden_in_either_wave_shows_no_figure():
    frame = figures((1, 1, 2.6, 40, 0.6, False), (2, 1, np.nan, 3, np.nan, True))
    [effect] = actions.action_effects(log(done(1, "2026-03-27")), frame, WAVES).to_dict("records")
    assert effect["call"] == "hidden"
    assert np.isnan(effect["before"])
    assert np.isnan(effect["n_before"])
    assert effect["sentence"] == (
        "Hidden: Team 1 has fewer than 5 responses in W1 or W2, or its figure is withheld so a smaller group "
        "stays hidden."
    )


def test_an_action_closed_after_the_last_wave_waits_for_the_next():
    frame = figures((3, 1, 3.0, 40, 0.6, False))
    [effect] = actions.action_effects(log(done(1, "2026-09-01")), frame, WAVES).to_dict("records")
    assert effect["call"] == "waiting for the next wave"
    assert effect["sentence"] == "Waiting for the next wave: closed on 2026-09-01, after W3 opened."


def test_closing_on_the_day_a_wave_opens_compares_that_wave_with_the_next():
    frame = figures((2, 1, 2.6, 120, 0.6, False), (3, 1, 3.4, 118, 0.6, False))
    [effect] = actions.action_effects(log(done(1, "2026-04-13")), frame, WAVES).to_dict("records")
    assert (effect["before_wave"], effect["after_wave"], effect["call"]) == ("W2", "W3", "up")


def test_actions_that_cannot_be_followed_say_why():
    frame = figures((1, 1, 3.0, 40, 0.6, False), (2, 2, 3.0, 40, 0.6, False))
    effects = actions.action_effects(
        log(
            done(1, "2025-12-01"),  # before any wave
            done(1, "2026-03-01"),  # team 1 has no results in W2
            done(None, "2026-03-01"),  # no team
            done(1, "2026-03-01", element=None),  # no element
            {"status": "open", "team_id": 1, "element": "knowledge"},  # not done: not listed
        ),
        frame,
        WAVES,
    )
    assert effects["call"].tolist() == ["no earlier wave", "no results", "not followed", "not followed"]
    assert effects["sentence"].tolist() == [
        "No survey wave opened before it was closed on 2025-12-01: nothing to compare with.",
        "Team 1 has no survey results in W1 or W2 to compare.",
        "Not followed in the survey: the action names no team or no ADKAR element.",
        "Not followed in the survey: the action names no team or no ADKAR element.",
    ]
    assert effects["p"].isna().all()


def test_no_done_action_gives_an_empty_table():
    effects = actions.action_effects(log({"status": "open"}), figures(), WAVES)
    assert effects.empty
    assert list(effects.columns) == list(actions.EFFECT_COLUMNS)


def test_demo_till_training_moved_knowledge_in_stores(demo_db):
    initiative = store.org.initiative_id(demo_db, sample_data.MAIN_INITIATIVE)
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), initiative)
    actions_log = store.actions.initiative_actions(demo_db, initiative)
    effects = actions.action_effects(actions_log, frame, store.org.waves(demo_db, initiative)).set_index("title")
    training = effects.loc["Run till-system training in every store"]
    assert (training["team"], training["element"], training["closed_on"]) == ("Stores", "knowledge", "2026-03-27")
    assert (training["before_wave"], training["after_wave"], training["call"]) == ("2026 Q1", "2026 Q2", "up")
    stores = frame[frame["team"] == "Stores"].set_index("wave")
    assert training["n_before"] == stores.loc["2026 Q1", "n"]
    assert training["n_after"] == stores.loc["2026 Q2", "n"]
    assert training["delta"] == pytest.approx(stores.loc["2026 Q2", "knowledge"] - stores.loc["2026 Q1", "knowledge"])
    assert training["delta"] > 0.5
    assert training["sentence"].startswith("Knowledge up ")
    assert set(effects["call"]) <= set(actions.EFFECT_CALLS)
    assert len(effects) == 3  # the demo's three done actions of Customer First


def test_demo_overdue_on_its_last_day(demo_db):
    actions_log = store.actions.initiative_actions(
        demo_db, store.org.initiative_id(demo_db, sample_data.MAIN_INITIATIVE)
    )
    late = actions.overdue(actions_log, sample_data.LAST_DAY)
    assert list(zip(late["title"], late["days_overdue"], strict=True)) == [
        ("Supply chain director to brief all shifts on the programme", 143),
        ("Add a help channel for the new order process", 81),
        ("Fix the returns screen on the tills", 51),
    ]


# Accountable actions -------------------------------------------------------------------------------


def test_an_open_action_keeps_its_owner_and_due_date_and_the_refusal_names_it(org):
    db, initiative, _ = org
    huddle = services.add_action(db, initiative, "Huddle", **ACCOUNTABLE, today=TODAY)
    with pytest.raises(actions.ActionProblems) as refused:
        services.update_actions(db, [{"id": huddle, "owner": " ", "due_on": None}], today=TODAY)
    assert refused.value.problems == [
        "“Huddle”, Owner cannot be blanked while it is open: name the person who will see it done (and their "
        "role, if you like).",
        "“Huddle”, Due cannot be blanked while it is open: give the day it is due, as YYYY-MM-DD, so it can be "
        "followed up.",
    ]
    stored = store.actions.initiative_actions(db, initiative).iloc[0]
    assert (stored["owner"], stored["due_on"]) == ("Priya S., store manager", "2026-12-15")
    # closing it at the same time is no longer an open action losing its owner
    applied = services.update_actions(db, [{"id": huddle, "status": "dropped", "owner": ""}], today=TODAY)
    assert actions.describe_applied(applied) == [
        "“Huddle”: owner Priya S., store manager → (none); status open → dropped; closed on 2026-11-20"
    ]


def test_latest_barriers_are_those_the_pages_show():
    results = pd.DataFrame(
        [
            {"team_id": 0, "opened_on": "2026-10-01", "suppressed": False, "barrier_point": "awareness"},
            {"team_id": 1, "opened_on": "2026-10-01", "suppressed": False, "barrier_point": "awareness"},
            {"team_id": 2, "opened_on": "2026-10-01", "suppressed": True, "barrier_point": "desire"},  # hidden
            {"team_id": 3, "opened_on": "2026-10-01", "suppressed": False, "barrier_point": None},
            {"team_id": 3, "opened_on": "2026-07-01", "suppressed": False, "barrier_point": "knowledge"},  # earlier
        ]
    )
    assert actions.latest_barriers(results) == {1: "awareness"}
    assert actions.latest_barriers(results.iloc[0:0]) == {}


def test_flags_say_overdue_and_aimed_past_the_barrier_in_words():
    actions_log = log(
        {"team_id": 1, "element": "knowledge", "due_on": "2026-08-20"},  # past Awareness, and late
        {"team_id": 1, "element": "awareness", "due_on": "2026-12-01"},  # at the barrier, on time
        {"team_id": 2, "element": "ability"},  # a hidden team has no barrier to be past
        {"team_id": 1, "element": "reinforcement", "status": "done", "closed_on": "2026-09-01"},  # history
        {"element": "knowledge", "due_on": "2026-11-19"},  # the programme's: no team, no barrier
    )
    flags = actions.action_flags(actions_log, {1: "awareness"}, TODAY).set_index("id")
    assert flags["flags"].tolist() == [
        "⚠ 92 days overdue · Aimed at Knowledge, past its Awareness barrier",
        "",
        "",
        "",
        "⚠ 1 day overdue",
    ]
    assert flags.loc[1, "days_overdue"] == 92
    assert flags["past_barrier"].tolist() == [True, False, False, False, False]
    table = actions.log_table(actions_log, TODAY, barriers={1: "awareness"})
    assert table.loc[1, "Overdue"] == "⚠ 92 days overdue"
    assert table.loc[1, "Barrier"] == "Aimed at Knowledge, past its Awareness barrier"
    assert actions.action_flags(actions_log.iloc[0:0], {}, TODAY).empty


TREE = pd.DataFrame({"id": [1, 2, 3], "name": ["Supply Chain", "Distribution Centre", "Stores"],
                     "parent_id": [None, 1, None]})  # fmt: skip


def test_a_barrier_is_covered_by_an_open_action_for_the_team_or_a_team_above_it_on_time():
    def cover(*rows: dict):
        return actions.barrier_cover(2, "awareness", log(*rows), TREE, TODAY)

    above = cover({"team_id": 1, "element": "awareness", "due_on": "2026-11-20"})  # due today: still on time
    assert (above.state, above.aimed) == ("on time", ("Action 1",))
    late = cover({"team_id": 2, "element": "awareness", "due_on": "2026-06-30"})
    assert late.state == "late"
    assert "past its due date" in actions.cover_text("Distribution Centre", late)
    elsewhere = cover(
        {"team_id": 3, "element": "awareness", "due_on": "2026-12-30"},  # another team's
        {"team_id": 2, "element": "awareness", "status": "done", "closed_on": "2026-10-01"},  # closed
        {"team_id": 2, "element": "knowledge", "due_on": "2026-12-30"},  # past the barrier
    )
    assert (elsewhere.state, elsewhere.past) == ("none", (("Action 3", "knowledge"),))
    assert actions.cover_text("Distribution Centre", elsewhere) == (
        "Distribution Centre is at its Awareness barrier and no open action is aimed at it (for the team or a "
        "team above it)."
    )
    assert actions.barrier_cover(2, "awareness", pd.DataFrame(), TREE, TODAY).state == "none"


def test_demo_distribution_centre_action_is_flagged_late_and_past_its_barrier(demo_db):
    # The demo's actions as the workspace holds them (their owners and dates are the demo's to change).
    initiative = store.org.initiative_id(demo_db, sample_data.MAIN_INITIATIVE)
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), initiative)
    barriers = actions.latest_barriers(frame)
    centre = int(frame.loc[frame["team"] == "Distribution Centre", "team_id"].iloc[0])
    assert barriers[centre] == "awareness"
    log_ = store.actions.initiative_actions(demo_db, initiative)
    mine = log_[(log_["team_id"] == centre) & log_["status"].isin(actions.OPEN_STATUSES)]
    assert mine["element"].tolist() == ["knowledge"]
    due = date.fromisoformat(mine["due_on"].iloc[0])
    on = date(2026, 12, 1)
    flags = actions.action_flags(mine, barriers, on).iloc[0]
    assert flags["flags"] == (f"⚠ {(on - due).days} days overdue · Aimed at Knowledge, past its Awareness barrier")
    teams = store.org.teams(demo_db)
    cover = actions.barrier_cover(centre, "awareness", log_, teams, on)
    assert cover.state in ("late", "none")  # the briefing aimed at its Awareness is past due: nothing on time


# Workshop sessions -------------------------------------------------------------------------------


def test_a_session_has_its_own_id_and_its_actions_whatever_the_day(org):
    db, initiative, teams = org
    with store.write_transaction(db):
        wave = store.org.add_wave(db, initiative, "Wave 1", "2026-10-01")
    morning = services.start_workshop_session(db, initiative, wave, ["Stores"])
    afternoon = services.start_workshop_session(db, initiative, wave, [])
    assert morning != afternoon
    first = services.add_action(db, initiative, "Huddle", **ACCOUNTABLE, session_id=morning, source="workshop",
                                today=TODAY)  # fmt: skip
    services.add_action(db, initiative, "Training", **ACCOUNTABLE, session_id=afternoon, source="workshop",
                        today=TODAY)  # fmt: skip
    log_ = store.actions.initiative_actions(db, initiative)
    next_day = date(2026, 11, 21)
    assert workshop.session_actions(log_, morning, next_day)["id"].tolist() == [first]  # a reload the next day
    assert workshop.session_actions(log_, None, TODAY).empty  # an old link: today's workshop actions of no session
    trail = services.audit_trail(db)
    started = trail[trail["action"] == "workshop session started"]
    assert len(started) == 2
    with pytest.raises(ValueError, match="Team: 'Nowhere' is not a team of this workspace."):
        services.start_workshop_session(db, initiative, wave, ["Nowhere"])
    with pytest.raises(access.Refused):
        services.start_workshop_session(db, initiative, wave, [], actor=Actor("vera@example.com", "viewer"))
    with pytest.raises(access.Refused, match="Contact Centre"):
        services.start_workshop_session(
            db, initiative, wave, ["Contact Centre"], actor=Actor("sam@example.com", "editor", teams["Stores"])
        )
