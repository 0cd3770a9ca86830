"""Readiness as the views show it: SQL and pandas agree, hidden groups stay hidden, changes are tested."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxchange import readiness, scoring, services, store
from cxchange.model import ELEMENTS
from cxchange.text import rate_text


def test_sql_aggregation_matches_the_pandas_reference(demo_db):
    wave_id = 3
    sql = store.responses.team_wave_stats(demo_db, 1)
    sql = sql[sql["wave_id"] == wave_id].set_index("team_id").sort_index()
    scores = store.responses.response_scores(demo_db, wave_id)
    complete = scores[scores["complete"] == 1].groupby("team_id")
    reference = (
        complete[[*ELEMENTS, "readiness"]]
        .mean()
        .assign(n=complete.size(), readiness_sd=complete["readiness"].std(ddof=1))
    )
    assert sql["n"].tolist() == reference["n"].tolist()
    for column in (*ELEMENTS, "readiness", "readiness_sd"):
        np.testing.assert_allclose(sql[column], reference[column], rtol=1e-9, err_msg=column)
    for element in ELEMENTS:
        np.testing.assert_allclose(sql[f"{element}_sd"], complete[element].std(ddof=1), rtol=1e-9, err_msg=element)


def test_respondent_groups_add_up_to_everyone(demo_db):
    by_group = store.responses.team_wave_stats(demo_db, 1, by_group=True)
    everyone = store.responses.team_wave_stats(demo_db, 1).set_index(["wave_id", "team_id"]).sort_index()
    summed = by_group.assign(total=by_group["awareness"] * by_group["n"]).groupby(["wave_id", "team_id"])
    assert summed["n"].sum().sort_index().tolist() == everyone["n"].tolist()
    np.testing.assert_allclose(summed["total"].sum().sort_index() / everyone["n"], everyone["awareness"], rtol=1e-9)
    assert set(by_group["is_champion"]) == {0, 1}


def test_scores_stored_with_each_response_follow_its_answers(demo_db):
    stored = store.responses.response_scores(demo_db, 1).set_index("response_id").sort_index()
    answers = store.responses.answers(demo_db, stored.index[:300])
    recomputed = scoring.element_scores(answers, store.org.items(demo_db)).sort_index()
    for column in (*ELEMENTS, "readiness"):
        np.testing.assert_allclose(stored.loc[recomputed.index, column], recomputed[column], err_msg=column)


def test_suppressed_rows_carry_no_figures(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    hidden = frame[frame["suppressed"]]
    assert not hidden.empty
    assert hidden[list(readiness.FIGURE_COLUMNS)].isna().all().all()
    assert hidden["barrier_point"].isna().all()
    assert set(hidden["suppression"]) == {"primary", "complementary"}


def test_raising_the_minimum_hides_more_teams(demo_db):
    latest = store.org.waves(demo_db, 1)["id"].iloc[-1]
    counts = {}
    for minimum in (5, 30):
        settings = services.save_settings(demo_db, {"min_group_size": minimum})
        frame = services.readiness_by_team(demo_db, settings, 1)
        wave = frame[frame["wave_id"] == latest]
        counts[minimum] = int(wave["suppressed"].sum())
        shown = wave[~wave["suppressed"]]
        assert (shown["n"] >= minimum).all()
    assert counts[30] > counts[5]


def test_a_shown_parent_never_reveals_a_hidden_remainder(demo_db):
    settings = services.save_settings(demo_db, {"min_group_size": 20})
    frame = services.readiness_by_team(demo_db, settings, 1)
    for _, wave in frame.groupby("wave_id"):
        shown = wave[~wave["suppressed"]].set_index("team_id")
        for parent_id, parent in shown.iterrows():
            children = wave[wave["parent_id"] == parent_id]
            if children.empty:
                continue
            remainder = parent["n"] - children.loc[~children["suppressed"], "n"].sum()
            assert remainder == 0 or remainder >= 20, (parent["team"], remainder)


def test_barrier_threshold_setting_moves_the_barrier_point(demo_db):
    latest = store.org.waves(demo_db, 1)["id"].iloc[-1]
    points = {}
    for threshold in (3.0, 3.6):
        settings = services.save_settings(demo_db, {"barrier_threshold": threshold})
        frame = services.readiness_by_team(demo_db, settings, 1)
        row = frame[(frame["wave_id"] == latest) & (frame["team"] == "Stores West")].iloc[0]
        points[threshold] = row["barrier_point"]
    assert points[3.0] is None  # every element above 3.0 in the last wave
    assert points[3.6] == "ability"  # 3.50 is the first element at or below 3.6


def test_change_is_called_only_where_welch_says_so(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    waves = store.org.waves(demo_db, 1)
    supply = frame[frame["team"] == "Supply Chain"]
    supply_id = int(supply["team_id"].iloc[0])
    falling = readiness.change_between(frame, supply_id, int(waves["id"].iloc[-1]))
    assert falling.significant
    assert falling.delta < 0
    assert falling.describe().startswith("Down ")
    ecommerce_id = int(frame.loc[frame["team"] == "E-commerce", "team_id"].iloc[0])
    steady = readiness.change_between(frame, ecommerce_id, int(waves["id"].iloc[-1]))
    assert not steady.significant
    assert steady.describe().startswith("No clear change since 2026 Q3")
    assert readiness.change_between(frame, ecommerce_id, int(waves["id"].iloc[0])) is None


def test_no_change_is_claimed_for_a_hidden_team(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    insight_id = int(frame.loc[frame["team"] == "Customer Insight", "team_id"].iloc[0])
    assert readiness.change_between(frame, insight_id, int(frame["wave_id"].max())) is None


def test_team_table_says_why_a_team_is_hidden_and_what_helps(demo_db):
    settings = store.settings.settings(demo_db)
    frame = services.readiness_by_team(demo_db, settings, 1)
    table = readiness.team_table(frame, 1, 5).set_index("Team")
    assert table.loc["Customer Insight", "Barrier point"] == "fewer than 5"
    assert pd.isna(table.loc["Customer Insight", "Responses (n)"])
    assert pd.isna(table.loc["Customer Insight", "Readiness index"])
    assert table.loc["Complaints Resolution", "Barrier point"] == "hidden"
    assert table.loc["Stores North", "Barrier point"] == "Knowledge"
    assert "training" in table.loc["Stores North", "What helps"].lower()
    assert "All teams" not in table.index


def test_empty_workspace_gives_an_empty_frame(db):
    frame = services.readiness_by_team(db, store.settings.settings(db))
    assert frame.empty
    with pytest.raises(LookupError, match="no survey waves"):
        services.readiness_report(db)


def test_report_for_a_missing_wave_names_the_waves(demo_db):
    with pytest.raises(LookupError, match="no wave called '2030 Q1'.*2025 Q3"):
        services.readiness_report(demo_db, "2030 Q1")


def test_comments_only_for_groups_at_or_above_the_comment_minimum(demo_db):
    settings = store.settings.settings(demo_db)
    latest = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    ids = dict(zip(store.org.teams(demo_db)["name"], store.org.teams(demo_db)["id"], strict=True))
    insight, note = services.team_comments(demo_db, settings, latest, ids["Customer Insight"])
    assert insight == []
    assert note == "Comments are shown for teams of at least 10 responses; this one has fewer."
    stores, note = services.team_comments(demo_db, settings, latest, ids["Stores"])  # a parent: its subtree
    assert len(stores) > 5
    assert note == f"{len(stores)} comments."
    hr, _ = services.team_comments(demo_db, settings, latest, ids["HR & People"])
    raised = services.save_settings(demo_db, {"min_comment_group_size": 40})
    hr_hidden, _ = services.team_comments(demo_db, raised, latest, ids["HR & People"])
    assert hr_hidden == []
    organisation, _ = services.team_comments(demo_db, raised, latest, 0)
    assert len(organisation) >= len(stores) + len(hr)


def test_a_parents_comments_leave_out_its_small_teams(demo_db):
    # Customer Operations minus Contact Centre and Complaints Resolution would be Customer Insight's.
    latest = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    ids = dict(zip(store.org.teams(demo_db)["name"], store.org.teams(demo_db)["id"], strict=True))
    demo_db.execute(
        "UPDATE responses SET comment = 'Only I would write this' WHERE wave_id = :w AND team_id = :t",
        {"w": latest, "t": ids["Customer Insight"]},
    )
    settings = store.settings.settings(demo_db)
    parent, note = services.team_comments(demo_db, settings, latest, ids["Customer Operations"])
    organisation, _ = services.team_comments(demo_db, settings, latest, 0)
    assert "Only I would write this" not in parent + organisation
    assert note.endswith("Teams with fewer responses are left out.")


def test_trend_lines_draw_a_team_and_the_teams_directly_below_it(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    ids = dict(zip(store.org.teams(demo_db)["name"], store.org.teams(demo_db)["id"], strict=True))
    lines = readiness.trend_lines(frame, ids["Supply Chain"], "desire")
    assert set(lines["team"]) == {"Supply Chain (all)", "Distribution Centre", "Logistics Planning"}
    row = frame[(frame["team_id"] == ids["Distribution Centre"]) & (frame["wave_id"] == 6)].iloc[0]
    drawn = lines[(lines["team"] == "Distribution Centre") & (lines["wave"] == row["wave"])].iloc[0]
    half = stats.t.ppf(0.975, row["n"] - 1) * row["desire_sd"] / np.sqrt(row["n"])
    assert drawn["value"] == pytest.approx(row["desire"])
    assert (drawn["ci_low"], drawn["ci_high"]) == pytest.approx((row["desire"] - half, row["desire"] + half))
    top = readiness.trend_lines(frame, 0)
    assert set(top["team"]) == {"All teams", *frame.loc[frame["depth"] == 1, "team"]} - {"Customer Insight"}
    # Hidden points are not drawn: Complaints Resolution is hidden in every wave.
    below = readiness.trend_lines(frame, ids["Customer Operations"])
    assert "Complaints Resolution" not in set(below["team"])


def test_barrier_history_and_roll_up_path_say_why_a_figure_is_hidden(demo_db):
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    ids = dict(zip(store.org.teams(demo_db)["name"], store.org.teams(demo_db)["id"], strict=True))
    history = readiness.barrier_history(frame, ids["Distribution Centre"], 5)
    assert history["Wave"].tolist() == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    assert history["Barrier point"].iloc[-1] == "Awareness"
    hidden = readiness.barrier_history(frame, ids["Customer Insight"], 5)
    assert set(hidden["Barrier point"]) == {"fewer than 5"}
    assert hidden["Responses (n)"].isna().all()
    assert hidden["Readiness index"].isna().all()
    path = readiness.roll_up_path(frame[frame["wave_id"] == 6], ids["Complaints Resolution"], 5)
    assert path["Team"].tolist() == ["Complaints Resolution", "Customer Operations (all)", "All teams"]
    assert path["Barrier point"].iloc[0] == "hidden"
    assert pd.isna(path["Responses (n)"].iloc[0])
    assert path["Responses (n)"].iloc[1] == 207


def test_distributions_add_up_for_every_shown_team(demo_db):
    settings = store.settings.settings(demo_db)
    frame = services.readiness_by_team(demo_db, settings, 1)
    wave_rows = frame[frame["wave_id"] == 6]
    teams = store.org.teams(demo_db)
    barrier = readiness.barrier_shares(store.responses.barrier_counts(demo_db, 6, 3.0), teams, wave_rows, "all")
    totals = barrier.groupby("team_id").agg(share=("share", "sum"), count=("count", "sum"), n=("n", "first"))
    assert totals["share"].to_numpy() == pytest.approx(1.0)
    assert (totals["count"] == totals["n"]).all()  # every complete respondent has one barrier point or none
    shown = set(wave_rows.loc[~wave_rows["suppressed"], "team_id"])
    assert set(totals.index) == shown
    likert = readiness.likert_shares(store.responses.answer_counts(demo_db, 6), teams, wave_rows, "all")
    per_element = likert.groupby(["team_id", "element"])["share"].sum()
    assert per_element.to_numpy() == pytest.approx(1.0)
    organisation = likert[(likert["team_id"] == 0) & (likert["element"] == "awareness")]
    # Three Awareness items: a complete respondent answered at least one of them, at most all three.
    n = wave_rows.loc[wave_rows["team_id"] == 0, "n"].iloc[0]
    assert n <= organisation["count"].sum() <= 3 * n


# Response rate: complete responses ÷ headcount, rolled up the tree -----------------------------

RATE_TEAMS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "name": ["Operations", "Contact Centre", "Back Office", "Night Shift"],
        "parent_id": pd.array([None, 1, 1, 1], dtype="Int64"),
        "headcount": [None, 40, 20, None],  # Operations' people are all in its teams; Night Shift's are not known
    }
)
RATE_WAVES = pd.DataFrame({"id": [1, 2], "name": ["Spring", "Autumn"], "opened_on": ["2026-03-01", "2026-09-01"]})
SETTINGS = {"min_group_size": 5, "barrier_threshold": 3.0}


def survey_stats(*cells: tuple[int, int, int]) -> pd.DataFrame:
    """team_wave_stats-shaped rows (wave_id, team_id, n) of respondents scoring 4 on everything."""
    rows = [
        {
            "wave_id": wave,
            "team_id": team,
            "is_champion": 0,
            "n": n,
            **{element: 4.0 for element in ELEMENTS},
            **{f"{element}_sd": 0.5 for element in ELEMENTS},
            "readiness": 75.0,
            "readiness_sd": 10.0,
            "outcome": np.nan,
            "outcome_n": 0,
        }
        for wave, team, n in cells
    ]
    entered = pd.DataFrame(columns=["wave_id", "team_id", "n", *ELEMENTS, "outcome"], dtype=float)
    return readiness.team_stats(pd.DataFrame(rows), entered)


def rate_rows(stats: pd.DataFrame, wave: int = 1) -> pd.DataFrame:
    frame = readiness.figures(stats, RATE_TEAMS, RATE_WAVES, SETTINGS)
    return frame[frame["wave_id"] == wave].set_index("team")


def test_response_rate_is_complete_responses_over_headcount_rolled_up_the_tree():
    rows = rate_rows(survey_stats((1, 2, 12), (1, 3, 6)))
    assert rows.loc["Contact Centre", "response_rate"] == pytest.approx(12 / 40)  # 30%
    assert rows.loc["Back Office", "response_rate"] == pytest.approx(6 / 20)
    # Operations has no headcount of its own: its people are its teams' 60; Night Shift has no responses
    assert rows.loc["Operations", "headcount"] == 60
    assert rows.loc["Operations", "response_rate"] == pytest.approx(18 / 60)
    assert rows.loc["All teams", "response_rate"] == pytest.approx(18 / 60)
    assert rate_text(rows.loc["Contact Centre", "response_rate"], 40) == "30% of 40"
    assert rate_text(25 / 40, 40) == "62% of 40"
    assert rate_text(float("nan"), 40) == rate_text(0.3, None) == ""


def test_no_rate_where_a_team_with_responses_has_no_headcount():
    rows = rate_rows(survey_stats((1, 2, 12), (1, 3, 6), (1, 4, 7)))
    assert pd.isna(rows.loc["Night Shift", "response_rate"])
    # 25 responses over the 60 people known would overstate the rate: Night Shift's people are missing
    assert pd.isna(rows.loc["Operations", "response_rate"])
    assert pd.isna(rows.loc["Operations", "headcount"])
    assert rows.loc["Contact Centre", "response_rate"] == pytest.approx(0.3)


def test_a_hidden_team_has_no_rate_its_headcount_would_give_its_n_back():
    rows = rate_rows(survey_stats((1, 2, 12), (1, 3, 3)))
    assert rows.loc["Back Office", "suppressed"]
    assert pd.isna(rows.loc["Back Office", "response_rate"])
    assert rows.loc["Contact Centre", "suppressed"]  # 15 - 12 would give Back Office's 3 away
    assert pd.isna(rows.loc["Contact Centre", "response_rate"])
    assert rows.loc["Operations", "response_rate"] == pytest.approx(15 / 60)  # 25%


def test_the_rate_is_worked_out_wave_by_wave():
    stats = survey_stats((1, 2, 12), (1, 3, 6), (2, 2, 20), (2, 3, 10), (2, 4, 5))
    assert rate_rows(stats, 1).loc["Operations", "response_rate"] == pytest.approx(0.3)
    assert pd.isna(rate_rows(stats, 2).loc["Operations", "response_rate"])  # Night Shift answered in Autumn
    assert rate_rows(stats, 2).loc["Contact Centre", "response_rate"] == pytest.approx(0.5)


def test_a_respondent_group_has_no_response_rate():
    stats = survey_stats((1, 2, 12), (1, 3, 6))
    champions = stats.assign(is_champion=1)
    both = pd.concat([stats, champions], ignore_index=True)
    frame = readiness.figures(both, RATE_TEAMS, RATE_WAVES, SETTINGS, group="champions")
    assert frame["response_rate"].isna().all()


def test_the_json_latest_wave_is_the_latest_opened_whatever_order_the_waves_come_in():
    stats = survey_stats((1, 2, 12), (1, 3, 6), (2, 2, 20), (2, 3, 3))
    frame = readiness.figures(stats, RATE_TEAMS, RATE_WAVES, SETTINGS)
    document = readiness.report_json(frame, RATE_WAVES.iloc[::-1], SETTINGS)
    assert document["wave"] == "Autumn"
    teams = {team["team"]: team for team in document["teams"]}
    assert list(teams) == ["Back Office", "Contact Centre"]  # by tree; Operations has no responses of its own
    assert teams["Back Office"]["n"] is None
    assert teams["Back Office"]["response_rate"] is None
    assert teams["Back Office"]["parent"] == "Operations"


def _two_waves(readiness_values: tuple[float, float], sds: tuple[float, float], n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "team_id": [1, 1],
            "wave_id": [1, 2],
            "wave": ["2025 Q3", "2025 Q4"],
            "opened_on": ["2025-07-01", "2025-10-01"],
            "suppressed": [False, False],
            "readiness": list(readiness_values),
            "readiness_sd": list(sds),
            "n": [n, n],
            "aggregate_n": [0, 0],
        }
    )


def test_six_all_3s_then_six_all_4s_is_up_with_the_exact_p_and_no_band_of_zero_width():
    # Issue 12: this read "Up 25.0 points (p < 0.001)" with a band of 50.0–50.0.
    frame = _two_waves((50.0, 75.0), (0.0, 0.0))
    change = readiness.change_between(frame, 1, 2)
    assert change.p_value == pytest.approx(0.0022, abs=5e-5)
    assert change.describe() == "Up 25.0 points since 2025 Q3 (p = 0.002, exact test: no spread in either wave)."
    low, high = scoring.confidence_interval(frame["readiness"], frame["readiness_sd"], frame["n"])
    assert low.isna().all()
    assert high.isna().all()
    row = frame.assign(ci_low=low, ci_high=high).iloc[1]
    assert readiness.ci_text(row).startswith("No confidence interval: every respondent gave the same answers")


def test_a_team_whose_wave_before_was_hidden_is_not_on_its_first_wave():
    # Issue 12: Team detail said "First wave: nothing to compare with yet" when the wave before was hidden.
    frame = _two_waves((50.0, 75.0), (10.0, 12.0)).assign(suppression="")
    hidden = frame.copy()
    hidden.loc[0, ["suppressed", "suppression", "readiness", "readiness_sd"]] = [True, "primary", np.nan, np.nan]
    assert readiness.change_text(hidden, 1, 2, 5) == (
        "Not compared with 2025 Q3: this team's figure was hidden there (fewer than 5)."
    )
    assert readiness.change_text(frame, 1, 1, 5) == "First wave: nothing to compare with yet."
    assert readiness.change_text(frame, 1, 2, 5).startswith("Up 25.0 points since 2025 Q3")


def test_every_wave_change_at_once_is_change_between_for_each_team_and_wave(demo_db):
    initiative = services.default_initiative(demo_db)
    frame = readiness.figures(
        services.team_stats(demo_db, initiative),
        store.org.teams(demo_db),
        store.org.waves(demo_db, initiative),
        store.settings.settings(demo_db),
    )
    changes = readiness.wave_changes(frame)
    assert len(changes) == len(frame)
    for row in changes.itertuples():
        one = readiness.change_between(frame, row.team_id, row.wave_id)
        if one is None:
            assert np.isnan(row.delta)
            assert not row.significant
            continue
        assert row.delta == pytest.approx(one.delta, abs=1e-12)
        assert row.p == pytest.approx(one.p_value, abs=1e-12, nan_ok=True)
        assert (row.significant, row.previous_wave) == (one.significant, one.previous_wave)
    assert changes["significant"].any()  # the demo's moves are there to find
