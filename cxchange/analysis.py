"""Statistics behind the Readiness page: multiple-testing correction, detectable change, key drivers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxchange.model import ELEMENTS


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in the input's order; NaN stays NaN.

    A change is called only where its adjusted p is below alpha, across all the teams × elements shown.
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    tested = ~np.isnan(p)
    if not tested.any():
        return adjusted
    values = p[tested]
    order = np.argsort(values)
    ranked = values[order] * len(values) / np.arange(1, len(values) + 1)
    # Step-up: each adjusted p is the smallest ranked value at or after it, capped at 1.
    monotone = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    result = np.empty_like(values)
    result[order] = monotone
    adjusted[tested] = result
    return adjusted


def minimum_detectable_change(sd: float, n_before: int, n_after: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest difference of means two groups of these sizes would detect (two-sided, normal approx.).

    Shown beside every "no clear change", so a CX lead sees whether the team could have shown one.
    """
    from scipy import stats

    if min(n_before, n_after) < 2 or not np.isfinite(sd):
        return float("nan")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(z * sd * np.sqrt(1 / n_before + 1 / n_after))


def relative_weights(scores: pd.DataFrame, outcome: str = "outcome") -> pd.DataFrame:
    """Johnson's relative weights of the five ADKAR elements for the outcome item (OC1).

    Each element's share of the explained variance (R²), fair to correlated predictors. Uses complete
    respondents only. Returns element, weight (sums to R²), share (sums to 1) and n.
    """
    data = scores[[*ELEMENTS, outcome]].dropna()
    n = len(data)
    if n < len(ELEMENTS) + 2:
        return pd.DataFrame({"element": list(ELEMENTS), "weight": np.nan, "share": np.nan, "n": n})
    correlations = data.corr().to_numpy()
    rxx = correlations[:-1, :-1]
    rxy = correlations[:-1, -1]
    eigenvalues, eigenvectors = np.linalg.eigh(rxx)
    eigenvalues = eigenvalues.clip(min=1e-12)
    # Λ = R_xx^{1/2}: the loadings of the predictors on their orthogonal counterparts.
    root = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    beta = np.linalg.solve(root, rxy)
    weights = (root**2) @ (beta**2)
    total = weights.sum()
    return pd.DataFrame(
        {
            "element": list(ELEMENTS),
            "weight": weights,
            "share": weights / total if total > 0 else np.nan,
            "n": n,
        }
    )
