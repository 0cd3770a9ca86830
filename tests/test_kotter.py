"""The Kotter board's rules on hand-built boards: sequence, wins, staleness, urgency, the barrier mapping, saving."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cxchange import charts, kotter, services, store

TODAY = date(2026, 11, 20)


def board(statuses: dict[int, str] | None = None, updated: dict[int, str] | None = None, **fields) -> pd.DataFrame:
    """A board from the steps given (step -> status, step -> updated_on); the rest never stored."""
    statuses, updated = statuses or {}, updated or {}
    rows = [
        {
            "step": step,
            "status": status,
            "owner": None,
            "evidence": None,
            "started_on": None,
            "due_on": None,
            "health": None,
            "updated_on": updated.get(step, TODAY.isoformat()),
        }
        | {field: values.get(step) for field, values in fields.items()}
        for step, status in statuses.items()
    ]
    return kotter.board(pd.DataFrame(rows))


NO_HISTORY = pd.DataFrame(columns=["id", "step", "changed_on", "status", "owner", "evidence", "health"])


def history(*changes: tuple[int, str, str, int | None]) -> pd.DataFrame:
    """History rows (step, changed_on, status, health), ids in the order given."""
    return pd.DataFrame(
        [
            {"id": i, "step": step, "changed_on": day, "status": status, "owner": None, "evidence": None, "health": h}
            for i, (step, day, status, h) in enumerate(changes, start=1)
        ]
    ).astype({"health": "Int64"})


def kinds(found: list[kotter.Warning]) -> list[tuple[int, str]]:
    return [(warning.step, warning.kind) for warning in found]


# The board


def test_a_board_without_stored_steps_still_has_all_eight_not_started():
    shown = kotter.board(pd.DataFrame(columns=kotter.BOARD_COLUMNS[:1] + kotter.FIELDS + ("updated_on",)))
    assert shown["step"].tolist() == list(range(1, 9))
    assert set(shown["status"]) == {"not started"}
    assert not shown["stored"].any()
    assert shown["owner"].isna().all()
    assert shown["health"].isna().all()


def test_stored_steps_keep_their_values_and_the_others_are_filled_in():
    stored = pd.DataFrame(
        [{"step": 3, "status": "at risk", "owner": "Ana", "evidence": "Draft", "started_on": "2026-01-05",
          "due_on": None, "health": 2, "updated_on": "2026-02-01"}]
    )  # fmt: skip
    shown = kotter.board(stored).set_index("step")
    assert shown.loc[3, "status"] == "at risk"
    assert shown.loc[3, "owner"] == "Ana"
    assert shown.loc[3, "health"] == 2
    assert bool(shown.loc[3, "stored"])
    assert shown.loc[4, "status"] == "not started"
    assert shown.loc[4, "owner"] is None


@pytest.mark.parametrize(
    ("label_set", "step", "name"),
    [
        ("current", 4, "Enlist a volunteer army"),
        ("2014", 3, "Form a strategic vision and initiatives"),
        ("1996", 4, "Communicate the change vision"),
        ("1996", 8, "Anchor new approaches in the culture"),
    ],
)
def test_the_label_set_names_the_steps(label_set, step, name):
    shown = kotter.board(NO_HISTORY.drop(columns=["id", "changed_on"]), label_set)
    assert shown.loc[shown["step"] == step, "label"].item() == name
    assert kotter.axis_label(step, label_set) == f"{step}. {name}"


def test_an_unknown_label_set_is_refused_by_name():
    with pytest.raises(ValueError, match="Unknown Kotter label set '2020'"):
        kotter.board(NO_HISTORY, "2020")


# Warnings


def test_a_later_step_done_while_an_earlier_one_has_not_started_is_out_of_order():
    found = kotter.warnings(board({1: "done", 2: "not started", 3: "done"}), NO_HISTORY, TODAY, 6)
    assert kinds(found) == [(3, kotter.OUT_OF_ORDER)]
    assert found[0].reason.startswith(
        "Step 3 'Form a strategic vision' is done, but step 2 'Build a guiding coalition' has not started"
    )


def test_every_earlier_step_not_started_is_named_once():
    found = kotter.warnings(board({6: "done"}), NO_HISTORY, TODAY, 6)
    [warning] = [w for w in found if w.kind == kotter.OUT_OF_ORDER]
    assert "step 1 'Create a sense of urgency', step 2" in warning.reason
    assert "and step 5 'Enable action by removing barriers' have not started" in warning.reason


def test_steps_done_in_order_or_with_earlier_ones_under_way_are_not_out_of_order():
    in_order = board({1: "done", 2: "done", 3: "done"})
    under_way = board({1: "done", 2: "in progress", 3: "at risk", 4: "done"})
    assert kotter.warnings(in_order, NO_HISTORY, TODAY, 6) == []
    assert kotter.OUT_OF_ORDER not in {w.kind for w in kotter.warnings(under_way, NO_HISTORY, TODAY, 6)}


@pytest.mark.parametrize(("step", "status"), [(7, "in progress"), (7, "done"), (8, "at risk"), (8, "in progress")])
def test_sustaining_or_instituting_before_any_short_term_win_is_flagged(step, status):
    statuses = {number: "done" for number in range(1, step)} | {6: "in progress", step: status}
    found = kotter.warnings(board(statuses), NO_HISTORY, TODAY, 6)
    assert (step, kotter.BEFORE_A_WIN) in kinds(found)
    [warning] = [w for w in found if w.kind == kotter.BEFORE_A_WIN and w.step == step]
    assert warning.reason.startswith(f"Step {step} '{kotter.label(step)}' is {status}, but no short-term win (step 6)")


def test_sustaining_after_a_short_term_win_or_not_yet_is_fine():
    after_a_win = board({1: "done", 2: "done", 3: "done", 4: "done", 5: "done", 6: "done", 7: "in progress"})
    not_yet = board({6: "in progress", 7: "not started", 8: "not started"})
    for steps in (after_a_win, not_yet):
        assert kotter.BEFORE_A_WIN not in {w.kind for w in kotter.warnings(steps, NO_HISTORY, TODAY, 6)}


def test_the_pilot_story_sustains_before_any_win_in_the_example_words():
    found = kotter.warnings(board({1: "done", 2: "done", 3: "in progress", 7: "in progress"}), NO_HISTORY, TODAY, 6)
    [warning] = [w for w in found if w.kind == kotter.BEFORE_A_WIN]
    assert warning.reason.startswith(
        "Step 7 'Sustain acceleration' is in progress, but no short-term win (step 6) is done yet."
    )


def test_a_step_under_way_goes_stale_at_exactly_the_set_number_of_weeks():
    fresh = board({1: "in progress"}, updated={1: "2026-10-10"})  # 41 days before TODAY
    stale = board({1: "in progress"}, updated={1: "2026-10-09"})  # 42 days: six weeks
    assert kotter.warnings(fresh, NO_HISTORY, TODAY, 6) == []
    [warning] = kotter.warnings(stale, NO_HISTORY, TODAY, 6)
    assert (warning.step, warning.kind) == (1, kotter.STALE)
    assert warning.reason == (
        "Step 1 'Create a sense of urgency' is in progress, but has had no update for 6 weeks "
        "(last on 2026-10-09; the board flags 6 weeks or more)."
    )
    assert kotter.warnings(stale, NO_HISTORY, TODAY, 7) == []  # the setting decides


def test_done_and_not_started_steps_never_go_stale():
    old = "2025-01-01"
    steps = board({1: "done", 2: "not started"}, updated={1: old, 2: old})
    assert kotter.warnings(steps, NO_HISTORY, TODAY, 6) == []


def test_an_at_risk_step_without_any_update_recorded_is_stale():
    steps = board({1: "done", 2: "at risk"}, updated={2: None})
    [warning] = kotter.warnings(steps, NO_HISTORY, TODAY, 6)
    assert (warning.step, warning.kind) == (2, kotter.STALE)
    assert "no update of it has ever been recorded" in warning.reason


def test_staleness_falls_back_to_the_history_when_the_board_has_no_date():
    steps = board({1: "in progress"}, updated={1: None})
    recent = history((1, "2026-11-01", "in progress", 3))
    assert kotter.warnings(steps, recent, TODAY, 6) == []


def test_urgency_health_falling_is_flagged_with_both_ratings_and_dates():
    fell = history((1, "2026-01-05", "in progress", 4), (1, "2026-03-02", "in progress", 2))
    found = kotter.warnings(board({1: "in progress"}), fell, TODAY, 6)
    assert kinds(found) == [(1, kotter.URGENCY_FALLING)]
    assert found[0].reason.startswith(
        "Step 1 'Create a sense of urgency': health fell from 4 (2026-01-05) to 2 (2026-03-02)."
    )


def test_urgency_health_steady_rising_or_rated_once_is_not_flagged():
    for changes in (
        [(1, "2026-01-05", "in progress", 3), (1, "2026-03-02", "in progress", 3)],
        [(1, "2026-01-05", "in progress", 2), (1, "2026-03-02", "done", 4)],
        [(1, "2026-01-05", "in progress", 4), (1, "2026-03-02", "done", None)],  # unrated: nothing fell
        [(2, "2026-01-05", "in progress", 4), (2, "2026-03-02", "in progress", 1)],  # not the urgency step
    ):
        assert kotter.warnings(board({1: "done", 2: "in progress"}), history(*changes), TODAY, 6) == []


def test_two_ratings_on_one_day_compare_in_the_order_they_were_saved():
    same_day = history((1, "2026-03-02", "in progress", 2), (1, "2026-03-02", "in progress", 4))
    assert kotter.warnings(board({1: "in progress"}), same_day, TODAY, 6) == []


def test_warnings_use_the_chosen_label_set():
    steps = kotter.board(pd.DataFrame([{"step": 4, "status": "done", "updated_on": TODAY.isoformat()}]), "1996")
    [warning, *_] = kotter.warnings(steps, NO_HISTORY, TODAY, 6, "1996")
    assert warning.reason.startswith("Step 4 'Communicate the change vision' is done, but step 1 'Establish a sense")


# Checking an edit


def test_a_good_update_is_cleaned_for_storing():
    row, problems = kotter.check_update(
        5,
        {"status": " Done ", "owner": " Ana ", "evidence": "", "started_on": date(2026, 1, 5),
         "due_on": "2026-03-31", "health": 4.0},
    )  # fmt: skip
    assert problems == []
    assert row == {"step": 5, "status": "done", "owner": "Ana", "evidence": None, "started_on": "2026-01-05",
                   "due_on": "2026-03-31", "health": 4}  # fmt: skip


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"status": "finished"}, "Step 2 'Build a guiding coalition', status: 'finished' is not one of not started, "
                                 "in progress, done, at risk."),
        ({"status": None}, "Step 2 'Build a guiding coalition', status: empty; choose one of not started"),
        ({"status": "done", "health": 7}, "Step 2 'Build a guiding coalition', health: 7 is not a rating from 1 to 5"),
        ({"status": "done", "health": 3.5}, "health: 3.5 is not a rating from 1 to 5"),
        ({"status": "done", "health": "good"}, "health: 'good' is not a rating from 1 to 5"),
        ({"status": "done", "started_on": "2026-02-30"}, "Step 2 'Build a guiding coalition', started: '2026-02-30' "
                                                         "is not a date; write it as YYYY-MM-DD."),
        ({"status": "done", "due_on": "next week"}, "due: 'next week' is not a date"),
        ({"status": "done", "started_on": "2026-03-01", "due_on": "2026-01-31"},
         "Step 2 'Build a guiding coalition', due: 2026-01-31 is before the step started (2026-03-01)."),
        ({"status": "done", "owner": 42}, "Step 2 'Build a guiding coalition', owner: 42 is not text."),
    ],
)  # fmt: skip
def test_a_bad_update_names_the_step_the_field_and_the_value(values, message):
    row, problems = kotter.check_update(2, values)
    assert len(problems) == 1
    assert message in problems[0]


def test_every_problem_of_a_step_is_reported_at_once():
    _, problems = kotter.check_update(3, {"status": "finished", "health": 0, "due_on": "soon"}, "1996")
    assert len(problems) == 3
    assert all(problem.startswith("Step 3 'Develop a vision and strategy'") for problem in problems)


def test_there_is_no_ninth_step():
    assert kotter.check_update(9, {"status": "done"}) == ({}, ["There is no Kotter step 9: steps are numbered 1 to 8."])


def test_only_the_steps_a_user_touched_are_checked_and_returned():
    stored = pd.DataFrame(
        [
            {
                "step": 2,
                "status": "in progress",
                "owner": "Bo",
                "evidence": None,
                "started_on": "2026-05-01",
                "due_on": "2026-04-01",
                "health": 3,
                "updated_on": "2026-05-01",
            }
        ]
    )  # fmt: skip  (step 2's dates were stored the wrong way round, long ago)
    steps = kotter.board(stored)
    grid = kotter.editor_frame(steps)
    assert kotter.changed_steps(steps, grid) == ([], [])  # nothing touched, nothing to check
    edited = grid.copy()
    edited.loc[5, "Status"] = "in progress"
    edited.loc[6, "Owner"] = "  "  # blank stays blank: no change
    rows, problems = kotter.changed_steps(steps, edited)
    assert problems == []
    assert rows == [{"step": 5, "status": "in progress", "owner": None, "evidence": None, "started_on": None,
                     "due_on": None, "health": None}]  # fmt: skip
    edited.loc[2, "Health (1–5)"] = 4  # touching step 2 asks for its dates to be put right
    rows, problems = kotter.changed_steps(steps, edited)
    assert problems == ["Step 2 'Build a guiding coalition', due: 2026-04-01 is before the step started (2026-05-01)."]


def test_a_save_is_described_step_by_step():
    steps = board({6: "in progress"}, owner={6: "Ana"}, health={6: 3})
    rows = [
        {"step": 6, "status": "done", "owner": "Bo", "evidence": None, "started_on": None, "due_on": None, "health": 4},
        {"step": 8, "status": "done", "owner": None, "evidence": None, "started_on": None, "due_on": None,
         "health": None},
    ]  # fmt: skip
    assert kotter.describe_changes(steps, rows) == (
        "Step 6 'Generate short-term wins': status in progress → done, owner changed, health 3 → 4. "
        "Step 8 'Institute change': status not started → done."
    )


# Saving


@pytest.fixture
def initiative(db) -> int:
    return store.org.add_initiative(db, "Store refit", "2026-01-05")


def step_row(step: int, status: str, **values) -> dict:
    return {"step": step, "status": status, "owner": None, "evidence": None, "started_on": None, "due_on": None,
            "health": None} | values  # fmt: skip


def test_saving_writes_changed_steps_with_one_history_row_each_dated_today(db, initiative):
    saved = services.save_kotter_steps(
        db, initiative, [step_row(1, "in progress", owner="Ana", health=3), step_row(2, "not started")], TODAY
    )
    assert saved == [1]  # step 2 as it was never stored: "not started" and empty is no change
    steps = store.kotter.kotter_steps(db, initiative)
    assert steps["step"].tolist() == [1]
    assert steps.iloc[0]["updated_on"] == "2026-11-20"
    changes = store.kotter.kotter_history(db, initiative)
    assert changes[["step", "changed_on", "status", "owner", "health"]].values.tolist() == [
        [1, "2026-11-20", "in progress", "Ana", 3]
    ]

    later = date(2026, 12, 1)
    saved = services.save_kotter_steps(
        db, initiative, [step_row(1, "in progress", owner="Ana", health=3), step_row(2, "in progress")], later
    )
    assert saved == [2]
    steps = store.kotter.kotter_steps(db, initiative).set_index("step")
    assert steps.loc[1, "updated_on"] == "2026-11-20"  # unchanged: untouched
    assert steps.loc[2, "updated_on"] == "2026-12-01"
    assert store.kotter.kotter_history(db, initiative)["step"].tolist() == [1, 2]

    services.save_kotter_steps(db, initiative, [step_row(1, "done", owner="Ana", health=2)], later)
    changes = store.kotter.kotter_history(db, initiative)
    assert changes[changes["step"] == 1]["status"].tolist() == ["in progress", "done"]
    assert store.kotter.kotter_steps(db, initiative).set_index("step").loc[1, "status"] == "done"


def test_one_bad_row_saves_nothing_and_names_the_problem(db, initiative):
    with pytest.raises(ValueError, match=r"Nothing was saved: Step 4 'Enlist a volunteer army', health: 9 is not"):
        services.save_kotter_steps(db, initiative, [step_row(1, "done"), step_row(4, "done", health=9)], TODAY)
    assert store.count(db, "kotter_steps") == 0
    assert store.count(db, "kotter_step_history") == 0


def test_a_step_given_twice_or_an_unknown_initiative_saves_nothing(db, initiative):
    with pytest.raises(ValueError, match="Step 1 is given twice"):
        services.save_kotter_steps(db, initiative, [step_row(1, "done"), step_row(1, "at risk")], TODAY)
    with pytest.raises(ValueError, match="There is no initiative with id 99"):
        services.save_kotter_steps(db, 99, [step_row(1, "done")], TODAY)
    assert store.count(db, "kotter_steps") == 0
    assert store.count(db, "kotter_step_history") == 0


def test_saved_steps_come_back_on_the_board_and_in_its_warnings(db, initiative):
    services.save_kotter_steps(db, initiative, [step_row(1, "done"), step_row(3, "done")], TODAY)
    steps = kotter.board(store.kotter.kotter_steps(db, initiative))
    found = kotter.warnings(steps, store.kotter.kotter_history(db, initiative), TODAY, 6)
    assert kinds(found) == [(3, kotter.OUT_OF_ORDER)]


# Barrier points beside the steps


def wave_rows(*teams: tuple[str, str | None, bool, bool]) -> pd.DataFrame:
    """One wave's readiness rows: (team, barrier point, suppressed, has_children); the organisation first."""
    rows = [{"team_id": 0, "team": "All teams", "barrier_point": "awareness", "suppressed": False,
             "has_children": True}]  # fmt: skip
    rows += [
        {"team_id": i, "team": name, "barrier_point": point, "suppressed": hidden, "has_children": parent}
        for i, (name, point, hidden, parent) in enumerate(teams, start=1)
    ]
    return pd.DataFrame(rows)


WAVE = wave_rows(
    ("Stores", "awareness", False, True),  # a roll-up: its teams count, not it
    ("Stores North", "awareness", False, False),
    ("Depot", "awareness", False, False),
    ("Contact Centre", "knowledge", False, False),
    ("Tiny Team", "reinforcement", True, False),  # hidden: its barrier point is not told
    ("E-commerce", None, False, False),
    ("Marketing", "desire", False, False),
)


def test_each_step_counts_and_names_the_shown_teams_stuck_at_what_it_builds():
    table = kotter.barrier_steps(WAVE).set_index("step")
    assert table.loc[1, "elements"] == "Awareness"
    assert (table.loc[1, "teams"], table.loc[1, "team_names"]) == (2, "Depot, Stores North")
    assert (table.loc[2, "teams"], table.loc[2, "team_names"]) == (1, "Marketing")
    assert table.loc[4, "elements"] == "Awareness, Desire"
    assert (table.loc[4, "teams"], table.loc[4, "team_names"]) == (3, "Depot, Marketing, Stores North")
    assert table.loc[5, "elements"] == "Knowledge, Ability"
    assert table.loc[5, "team_names"] == "Contact Centre"
    assert table.loc[6, "teams"] == 0  # Tiny Team is hidden
    assert table.loc[7, "elements"] == ""
    assert kotter.hidden_team_count(WAVE) == 1


def test_the_mapping_goes_by_step_number_whatever_the_names():
    current = kotter.barrier_steps(WAVE)
    book = kotter.barrier_steps(WAVE, "1996")
    assert current["teams"].tolist() == book["teams"].tolist()
    assert book.loc[book["step"] == 4, "label"].item() == "Communicate the change vision"


def test_done_work_that_has_not_reached_stuck_teams_is_a_disagreement():
    steps = board({1: "done", 2: "in progress", 3: "in progress", 5: "in progress"})
    assert kotter.disagreements(steps, WAVE) == [
        "Step 1 'Create a sense of urgency' is marked done, but 2 teams (Depot, Stores North) are still stuck at "
        "Awareness: the work has not reached them yet."
    ]


def test_stuck_teams_waiting_on_steps_not_started_is_a_disagreement():
    steps = board({1: "in progress", 2: "in progress"})
    assert kotter.disagreements(steps, WAVE) == [
        "1 team (Contact Centre) is stuck at Knowledge, but step 5 'Enable action by removing barriers', the step "
        "that builds it, has not started."
    ]


def test_no_stuck_team_means_no_disagreement():
    calm = wave_rows(("E-commerce", None, False, False), ("Tiny Team", "awareness", True, False))
    assert kotter.disagreements(board({1: "done", 3: "done"}), calm) == []


# Timeline


def test_each_change_lasts_until_the_next_one_or_today():
    moves = history(
        (5, "2025-10-01", "in progress", 2),
        (5, "2026-03-02", "at risk", 2),
        (5, "2026-03-02", "in progress", 3),  # later the same day: it stands for the day
        (1, "2025-06-02", "done", 4),
    )
    segments = kotter.timeline_segments(moves, TODAY)
    assert segments[["step", "status", "start", "end"]].values.tolist() == [
        [1, "done", "2025-06-02", "2026-11-20"],
        [5, "in progress", "2025-10-01", "2026-03-02"],
        [5, "in progress", "2026-03-02", "2026-11-20"],
    ]
    assert segments["label"].iloc[0] == "1. Create a sense of urgency"
    assert segments["health"].tolist() == [4, 2, 3]
    assert kotter.timeline_segments(NO_HISTORY, TODAY).empty


def test_the_timeline_keeps_every_step_in_order_with_health_on_hover_and_a_today_rule():
    segments = kotter.timeline_segments(history((6, "2026-02-01", "in progress", None)), TODAY)
    labels = [kotter.axis_label(step) for step in kotter.STEP_NUMBERS]
    spec = charts.kotter_timeline(segments, labels, TODAY.isoformat(), title="Steps").to_dict()
    bars, dots, rule, rule_text = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == labels
    assert bars["encoding"]["y"]["scale"]["domain"] == labels  # steps without a change keep their row
    assert "Health (1–5)" in [tip["title"] for tip in bars["encoding"]["tooltip"]]
    assert rule["mark"]["type"] == "rule"
    values = [row for data in spec["datasets"].values() for row in data]
    assert {"today": "2026-11-20", "text": "today, 2026-11-20"} in values
    assert any(row.get("health_text") == "not rated" for row in values)
