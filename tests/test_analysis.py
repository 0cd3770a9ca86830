"""Readiness statistics checked against scipy and against hand-checked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxchange import analysis
from cxchange.model import ELEMENTS


def test_benjamini_hochberg_matches_scipy():
    p = [0.01, 0.04, 0.03, 0.20, 0.005, 0.5]
    assert np.allclose(analysis.benjamini_hochberg(p), stats.false_discovery_control(p, method="bh"))


def test_benjamini_hochberg_by_hand_and_with_untested_cells():
    # sorted p: 0.01 (rank 1), 0.02 (2), 0.04 (3): p*3/rank = 0.03, 0.03, 0.04; step-up keeps them
    adjusted = analysis.benjamini_hochberg([0.04, np.nan, 0.01, 0.02])
    assert np.isnan(adjusted[1])
    assert adjusted[[0, 2, 3]] == pytest.approx([0.04, 0.03, 0.03])
    assert np.isnan(analysis.benjamini_hochberg([np.nan, np.nan])).all()


def test_minimum_detectable_change_by_hand():
    # (1.959964 + 0.841621) * 10 * sqrt(1/50 + 1/50) = 2.801585 * 10 * 0.2 = 5.60317
    assert analysis.minimum_detectable_change(10, 50, 50) == pytest.approx(5.60317, abs=1e-4)
    assert np.isnan(analysis.minimum_detectable_change(10, 1, 50))
    assert analysis.minimum_detectable_change(10, 20, 20) > analysis.minimum_detectable_change(10, 200, 200)


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
    from cxchange import db as store

    for wave_id in (1, 6):
        scores = store.response_scores(demo_db, wave_id)
        weights = analysis.relative_weights(scores[scores["complete"] == 1]).set_index("element")
        assert set(weights["share"].nlargest(2).index) == {"desire", "reinforcement"}, wave_id
