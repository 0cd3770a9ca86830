"""Readiness statistics checked against scipy and against hand-checked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxchange import analysis, services
from cxchange.model import ELEMENTS

# welch ----------------------------------------------------------------------------------------

SAMPLE_A = np.array([62.5, 70.0, 55.0, 81.25, 77.5, 68.75])
SAMPLE_B = np.array([50.0, 58.75, 61.25, 45.0, 66.25])


def summary(sample: np.ndarray) -> tuple[float, float, int]:
    return sample.mean(), sample.std(ddof=1), len(sample)


def test_welch_matches_scipy_on_the_raw_values():
    expected = stats.ttest_ind(SAMPLE_A, SAMPLE_B, equal_var=False).pvalue

    result = analysis.welch(*summary(SAMPLE_A), *summary(SAMPLE_B))["p"]

    assert result == pytest.approx(expected, rel=1e-9)


def test_welch_matches_scipy_for_unequal_sizes_and_spreads():
    a = np.array([20.0, 90.0, 35.0, 75.0, 50.0, 10.0, 95.0, 60.0, 40.0, 70.0, 25.0, 85.0])
    b = np.array([55.0, 57.5, 60.0])
    expected = stats.ttest_ind(a, b, equal_var=False).pvalue

    result = analysis.welch(*summary(a), *summary(b))["p"]

    assert result == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_welch_difference_df_and_interval_match_scipy_on_the_raw_values(confidence):
    expected = stats.ttest_ind(SAMPLE_A, SAMPLE_B, equal_var=False)
    interval = expected.confidence_interval(confidence_level=confidence)

    result = analysis.welch(*summary(SAMPLE_A), *summary(SAMPLE_B), confidence=confidence)

    assert result["difference"] == pytest.approx(SAMPLE_A.mean() - SAMPLE_B.mean())
    assert result["df"] == pytest.approx(expected.df, rel=1e-12)
    assert (result["ci_low"], result["ci_high"]) == (pytest.approx(interval.low), pytest.approx(interval.high))


def test_welch_works_element_by_element():
    a, b = summary(SAMPLE_A), summary(SAMPLE_B)
    result = analysis.welch(*([x, x, x] for x in a), *([b[0], b[0], 70.0], [b[1], 0.0, 0.0], [b[2], 1, 5]))
    assert result["p"][0] == pytest.approx(stats.ttest_ind(SAMPLE_A, SAMPLE_B, equal_var=False).pvalue)
    assert np.isnan(result["p"][1])  # one respondent in the second group
    # No spread in it: Student's t-test, lending it the other group's spread (not a one-sample test).
    assert result["p"][2] == pytest.approx(stats.ttest_ind(SAMPLE_A, np.full(5, 70.0), equal_var=True).pvalue)


@pytest.mark.parametrize(
    "args",
    [
        (50.0, np.nan, 1, 60.0, 10.0, 5),
        (50.0, 0.0, 1, 60.0, 10.0, 5),
        (50.0, 10.0, 5, 60.0, 0.0, 1),
        (50.0, 10.0, 5, 60.0, 10.0, 0),
        (50.0, np.nan, 5, 60.0, 10.0, 5),
    ],
)
def test_welch_gives_nan_without_two_respondents_and_an_sd(args):
    assert np.isnan(analysis.welch(*args)["p"])


def test_zero_spread_is_not_certainty_six_all_3s_then_six_all_4s_gives_the_exact_p():
    # Issue 12: this gave p = 0 ("Up 25.0 points (p < 0.001)"); the exact permutation test gives 0.0022.
    threes, fours = np.full(6, 3.0), np.full(6, 4.0)
    exact = stats.permutation_test(
        (fours, threes), lambda a, b: a.mean() - b.mean(), permutation_type="independent", n_resamples=np.inf
    ).pvalue
    result = analysis.welch(4.0, 0.0, 6, 3.0, 0.0, 6)
    assert float(result["p"]) == pytest.approx(exact) == pytest.approx(0.0022, abs=5e-5)
    assert result["test"] == "exact"
    assert float(result["difference"]) == 1.0
    assert np.isnan(result["ci_low"])
    assert np.isnan(result["ci_high"])
    assert float(analysis.welch(3.0, 0.0, 10, 3.0, 0.0, 12)["p"]) == 1.0


def test_one_group_without_spread_borrows_the_others_and_no_p_beats_the_permutation_floor():
    sample = np.array([4.0, 3.0, 5.0, 4.0, 3.5, 4.5])
    one = analysis.welch(3.0, 0.0, 6, *summary(sample))
    pooled = stats.ttest_ind(np.full(6, 3.0), sample, equal_var=True).pvalue
    assert float(one["p"]) == pytest.approx(max(pooled, 2 / 924))
    assert one["test"] == "pooled t"
    assert np.isfinite(one["ci_low"])
    # Three against three can never be surer than 2 / C(6, 3) = 0.1, whatever the t-test's tail says.
    assert float(analysis.welch(3.0, 0.1, 3, 5.0, 0.1, 3)["p"]) == pytest.approx(0.1)


# benjamini_hochberg ---------------------------------------------------------------------------


def test_benjamini_hochberg_matches_scipy():
    p = [0.01, 0.04, 0.03, 0.20, 0.005, 0.5]
    assert np.allclose(analysis.benjamini_hochberg(p), stats.false_discovery_control(p, method="bh"))


def test_benjamini_hochberg_by_hand_and_with_untested_cells():
    # sorted p: 0.01 (rank 1), 0.02 (2), 0.04 (3): p*3/rank = 0.03, 0.03, 0.04; step-up keeps them
    adjusted = analysis.benjamini_hochberg([0.04, np.nan, 0.01, 0.02])
    assert np.isnan(adjusted[1])
    assert adjusted[[0, 2, 3]] == pytest.approx([0.04, 0.03, 0.03])
    assert np.isnan(analysis.benjamini_hochberg([np.nan, np.nan])).all()


def test_minimum_detectable_change_is_t_based_and_has_80_percent_power():
    def power(shift: float, n: int, alpha: float) -> float:
        df, critical = 2 * n - 2, stats.t.ppf(1 - alpha / 2, 2 * n - 2)
        noncentrality = shift / np.sqrt(2 / n)
        return stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)

    for n, alpha in ((5, 0.05), (40, 0.01), (200, 0.002)):
        assert power(analysis.minimum_detectable_change(1.0, n, n, alpha), n, alpha) == pytest.approx(0.8, abs=1e-6)
    # Issue 12: the normal approximation (1.959964 + 0.841621) · √(2/5) was 12% too small at 5 against 5.
    normal = 2.801585 * np.sqrt(2 / 5)
    assert 1 - normal / analysis.minimum_detectable_change(1.0, 5, 5) == pytest.approx(0.12, abs=0.005)
    assert np.isnan(analysis.minimum_detectable_change(10, 1, 50))
    assert analysis.minimum_detectable_change(10, 20, 20) > analysis.minimum_detectable_change(10, 200, 200)


def test_the_detectable_change_uses_the_level_the_calls_are_made_at():
    assert analysis.call_level(0, 300) == pytest.approx(0.05 / 300)
    assert analysis.call_level(10, 300) == pytest.approx(0.05 * 11 / 300)
    assert analysis.call_level(0, 1) == 0.05
    stricter = analysis.minimum_detectable_change(0.8, 40, 40, analysis.call_level(0, 300))
    assert stricter > analysis.minimum_detectable_change(0.8, 40, 40, 0.05) * 1.4


def test_relative_weights_with_uncorrelated_predictors_are_the_squared_correlations():
    # With orthogonal predictors, each weight is its squared correlation with the outcome.
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(4000, 5))
    q, _ = np.linalg.qr(raw - raw.mean(axis=0))  # exactly uncorrelated, centred columns
    frame = pd.DataFrame(q, columns=list(ELEMENTS))
    frame["outcome"] = 0.5 * frame["desire"] + 0.3 * frame["reinforcement"] + 0.01 * rng.normal(size=4000)
    weights = analysis.relative_weights(frame).set_index("element")
    expected = frame.corr()["outcome"][list(ELEMENTS)] ** 2
    assert weights["weight"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-9)
    assert weights["weight"].sum() == pytest.approx(expected.sum())
    assert weights["share"].idxmax() == "desire"
    assert weights["n"].iloc[0] == 4000


def test_relative_weights_sum_to_r_squared_with_correlated_predictors():
    rng = np.random.default_rng(5)
    common = rng.normal(size=2000)
    frame = pd.DataFrame({e: common + rng.normal(size=2000) for e in ELEMENTS})
    frame["outcome"] = frame["desire"] + 2 * frame["reinforcement"] + rng.normal(size=2000)
    weights = analysis.relative_weights(frame)
    x = np.column_stack([np.ones(2000), frame[list(ELEMENTS)]])
    fitted = x @ np.linalg.lstsq(x, frame["outcome"], rcond=None)[0]
    r_squared = 1 - ((frame["outcome"] - fitted) ** 2).sum() / ((frame["outcome"] - frame["outcome"].mean()) ** 2).sum()
    assert weights["weight"].sum() == pytest.approx(r_squared, abs=1e-9)
    assert weights.set_index("element")["share"].idxmax() == "reinforcement"


def test_relative_weights_need_enough_respondents():
    frame = pd.DataFrame({e: [1.0, 2.0, 3.0] for e in (*ELEMENTS, "outcome")})
    assert analysis.relative_weights(frame)["weight"].isna().all()


def test_the_demo_outcome_follows_desire_and_reinforcement(demo_db):
    from cxchange import store

    for wave_id in (1, 6):
        scores = store.responses.response_scores(demo_db, wave_id)
        weights = analysis.relative_weights(scores[scores["complete"] == 1]).set_index("element")
        assert set(weights["share"].nlargest(2).index) == {"desire", "reinforcement"}, wave_id


# Change between waves ---------------------------------------------------------------------------


def _frame(rows: list[dict]) -> pd.DataFrame:
    """A readiness_by_team-like frame: team_id, team, order, wave_id, n, suppressed, means and sds."""
    defaults = {element: 3.0 for element in ELEMENTS} | {f"{element}_sd": 0.8 for element in ELEMENTS}
    frame = pd.DataFrame([defaults | row for row in rows])
    return frame.assign(order=frame["team_id"])


def test_changes_match_welch_and_bh_from_scipy_on_the_demo(demo_db):
    from cxchange import store

    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    teams = store.org.teams(demo_db).set_index("name")["id"]
    leaves = [int(teams[name]) for name in ("Stores North", "Distribution Centre", "E-commerce")]
    table = analysis.changes(frame, 5, 6, leaves)
    assert len(table) == 3 * len(ELEMENTS)
    before, after = store.responses.response_scores(demo_db, 5), store.responses.response_scores(demo_db, 6)
    expected_p = []
    for row in table.itertuples():
        a = after[(after["team_id"] == row.team_id) & (after["complete"] == 1)][row.element]
        b = before[(before["team_id"] == row.team_id) & (before["complete"] == 1)][row.element]
        result = stats.ttest_ind(a, b, equal_var=False)
        assert row.p == pytest.approx(result.pvalue, rel=1e-6), (row.team, row.element)
        assert row.delta == pytest.approx(a.mean() - b.mean())
        assert (row.n_before, row.n_after) == (len(b), len(a))
        expected_p.append(result.pvalue)
    # BH runs over the fixed family of the pair of waves, not over the three teams asked for.
    every = analysis.changes(frame, 5, 6, sorted(frame["team_id"].unique()))
    family = every[every["family"] == "teams"].set_index(["team_id", "element"])
    adjusted = pd.Series(stats.false_discovery_control(family["p"], method="bh"), index=family.index)
    keys = list(zip(table["team_id"], table["element"], strict=True))
    assert table["p_adjusted"].to_numpy() == pytest.approx(adjusted.loc[keys].to_numpy())
    assert len(expected_p) == len(table)
    calls = dict(zip(zip(table["team"], table["element"], strict=True), table["call"], strict=True))
    assert calls[("Distribution Centre", "awareness")] == "down"  # the demo's story: Supply Chain falls
    significant = table["p_adjusted"] < 0.05
    assert set(table.loc[~significant, "call"]) <= {"no clear change"}
    assert (table.loc[significant, "call"] == np.where(table.loc[significant, "delta"] > 0, "up", "down")).all()


def test_a_cells_call_does_not_depend_on_the_team_filter_stores_north_reinforcement_q3_to_q4(demo_db):
    # Issue 12: "up" under the Stores filter (adjusted p 0.017) and "no clear change" under All teams (0.052).
    from cxchange import hierarchy, store

    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    teams = store.org.teams(demo_db)
    waves = frame.drop_duplicates("wave").set_index("wave")["wave_id"]
    stores = hierarchy.subtree_ids(teams, int(teams.set_index("name").loc["Stores", "id"]))
    everyone = hierarchy.subtree_ids(teams, hierarchy.ORGANISATION)
    cells = []
    for members in (stores, everyone):
        table = analysis.changes(frame, int(waves["2025 Q3"]), int(waves["2025 Q4"]), sorted(members))
        cells.append(table[(table["team"] == "Stores North") & (table["element"] == "reinforcement")].iloc[0])
    under_stores, under_all = cells
    assert under_stores["call"] == under_all["call"] == "up"
    assert under_stores["p_adjusted"] == under_all["p_adjusted"] == pytest.approx(0.046, abs=5e-4)
    assert under_all["family"] == "teams"
    assert under_all["adjusted_among"].endswith("every shown team with no teams below it, and the organisation")
    # Parents are corrected among parents: Stores is never in the leaf teams' family.
    whole = analysis.changes(frame, int(waves["2025 Q3"]), int(waves["2025 Q4"]), sorted(everyone))
    assert set(whole.loc[whole["team"] == "Stores", "family"]) == {"parents"}
    assert set(whole.loc[whole["team_id"] == hierarchy.ORGANISATION, "family"]) == {"teams"}
    assert "whatever team you choose" in analysis.describe_families(whole)


def test_a_change_significant_alone_is_not_called_after_correction():
    # 20 teams, one with p just under 0.05 on its own: across 100 cells BH lifts it above 0.05.
    rows = []
    for team in range(1, 21):
        shift = 0.3 if team == 1 else 0.0
        rows.append({"team_id": team, "team": f"T{team}", "wave_id": 1, "n": 60, "suppressed": False})
        rows.append({"team_id": team, "team": f"T{team}", "wave_id": 2, "n": 60, "suppressed": False,
                     "awareness": 3.0 + shift})  # fmt: skip
    table = analysis.changes(_frame(rows), 1, 2, list(range(1, 21)))
    alone = table[(table["team"] == "T1") & (table["element"] == "awareness")].iloc[0]
    assert alone["p"] < 0.05
    assert alone["p_adjusted"] > 0.05
    assert alone["call"] == "no clear change"


NO_SD = {f"{element}_sd": np.nan for element in ELEMENTS}  # entered team means carry no spread


def test_entered_means_are_no_test_possible_and_hidden_teams_are_left_out():
    rows = [
        {"team_id": 1, "team": "Survey", "wave_id": 1, "n": 40, "suppressed": False},
        {"team_id": 1, "team": "Survey", "wave_id": 2, "n": 40, "suppressed": False, "desire": 3.9},
        {"team_id": 2, "team": "Entered", "wave_id": 1, "n": 30, "suppressed": False, **NO_SD},
        {"team_id": 2, "team": "Entered", "wave_id": 2, "n": 30, "suppressed": False, **NO_SD},
        {"team_id": 3, "team": "Hidden", "wave_id": 1, "n": 40, "suppressed": False},
        {"team_id": 3, "team": "Hidden", "wave_id": 2, "n": 3, "suppressed": True},
    ]  # fmt: skip
    table = analysis.changes(_frame(rows), 1, 2, [1, 2, 3])
    assert set(table["team"]) == {"Survey", "Entered"}
    assert set(table.loc[table["team"] == "Entered", "call"]) == {"no test possible"}
    assert table.loc[table["team"] == "Entered", "p"].isna().all()
    survey = table[table["team"] == "Survey"].set_index("element")
    assert survey.loc["desire", "call"] == "up"
    # The detectable change uses the pooled sd (0.8 both waves), both n, and the level of the calls:
    # one called of five tested, so a second needed p ≤ 0.05 · 2 / 5 = 0.02.
    assert survey.loc["desire", "level"] == pytest.approx(0.02)
    assert survey.loc["desire", "mdc"] == pytest.approx(analysis.minimum_detectable_change(0.8, 40, 40, 0.02))
    # Its own 95% CI, Welch's around +0.9 (3.9 against 3.0): ±t(0.975, 78) · 0.8 · √(2/40).
    half = stats.t.ppf(0.975, 78) * 0.8 * np.sqrt(2 / 40)
    assert survey.loc["desire", "ci_low"] == pytest.approx(0.9 - half)
    assert survey.loc["desire", "ci_high"] == pytest.approx(0.9 + half)
    assert analysis.describe_changes(table) == (
        "Of 5 team × element figures tested, **1 went up** and **0 went down**; the other 4 show no clear change. "
        "5 come from team-level entries: no test possible."
    )


def test_changes_follow_adkar_order_within_each_team():
    rows = [{"team_id": 1, "team": "A", "wave_id": w, "n": 30, "suppressed": False} for w in (1, 2)]
    assert analysis.changes(_frame(rows), 1, 2, [1])["element"].tolist() == list(ELEMENTS)


# Key drivers ------------------------------------------------------------------------------------


def test_key_drivers_score_each_element_over_complete_respondents_only():
    rng = np.random.default_rng(11)
    scores = pd.DataFrame({e: rng.uniform(1, 5, 200) for e in (*ELEMENTS, "outcome")})
    scores["complete"] = 1
    scores.loc[:9, "complete"] = 0
    scores.loc[:9, list(ELEMENTS)] = 1.0  # incomplete respondents must not drag the scores down
    drivers = analysis.key_drivers(scores).set_index("element")
    complete = scores[scores["complete"] == 1]
    for element in ELEMENTS:
        assert drivers.loc[element, "score"] == pytest.approx(complete[element].mean())
    assert drivers["n"].iloc[0] == 190
    assert drivers["share"].sum() == pytest.approx(1.0)


def test_the_drivers_sentence_names_what_to_fix_first():
    drivers = pd.DataFrame(
        {
            "element": list(ELEMENTS),
            "weight": [0.02, 0.06, 0.01, 0.03, 0.08],
            "share": [0.1, 0.3, 0.05, 0.15, 0.4],
            "score": [3.9, 3.8, 3.7, 3.5, 3.4],
            "n": 500,
        }
    )
    text = analysis.describe_drivers(drivers)
    # Reinforcement: important (40% > 20%) and scored below the mean of the five (3.66): fix first.
    assert text.startswith("**Fix first: Reinforcement (40% of the explained variance, scored 3.40).**")
    assert "explain 20% of the variance" in text
    assert "n = 500" in text
    assert "association, not proof of cause" in text
    drivers["score"] = [3.4, 3.9, 3.5, 3.5, 3.9]  # the important ones now score high
    assert analysis.describe_drivers(drivers).startswith("**Reinforcement matters most** (40%")
