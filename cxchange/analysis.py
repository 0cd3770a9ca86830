"""Statistics behind the Readiness page: multiple-testing correction, detectable change, key drivers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cxchange.hierarchy import ORGANISATION
from cxchange.model import ELEMENT_LABELS, ELEMENTS


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in the input's order; NaN stays NaN.

    A change is called only where its adjusted p is below alpha, across all the teams × elements shown.
    The cells with no test (NaN) are left out of the count of tests, as if they were not in the table.
    """
    from scipy import stats

    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = stats.false_discovery_control(p[tested], method="bh")
    return adjusted


def welch(
    mean_a: ArrayLike,
    sd_a: ArrayLike,
    n_a: ArrayLike,
    mean_b: ArrayLike,
    sd_b: ArrayLike,
    n_b: ArrayLike,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """The test of mean_a − mean_b from each group's mean, sd and n (numbers, or arrays element by element).

    Welch's t-test where both groups have spread. A group with no spread in a sample is no proof
    that its people never differ, so zero spread is never treated as certainty:
    - where neither group has any spread, the raw answers are known exactly (everyone gave the
      group's mean), and the exact permutation test over them is used (six all 3s against six
      all 4s: p = 2 / C(12, 6) = 0.0022); there is no interval then;
    - where one group has no spread, Student's t-test with the pooled sd, which lends that group
      the other's spread instead of taking it for zero.
    And no p is ever below permutation_floor: with small groups the t-tests' tails say more than
    the answers can (three against three can never reach p < 0.1).
    Returns arrays of the inputs' shape: difference, df, p (two-sided), the difference's ci_low and
    ci_high at `confidence`, and `test` (which test gave p: "welch", "pooled t", "exact", or "").
    All are NaN where a group has fewer than two respondents or no sd.
    """
    from scipy import stats

    mean_a, sd_a, n_a, mean_b, sd_b, n_b = np.broadcast_arrays(
        *(np.asarray(value, dtype=float) for value in (mean_a, sd_a, n_a, mean_b, sd_b, n_b))
    )
    valid = (n_a >= 2) & (n_b >= 2) & np.isfinite(sd_a) & np.isfinite(sd_b) & np.isfinite(mean_a - mean_b)
    nan = np.full(mean_a.shape, np.nan)
    difference, df, p, half = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    test = np.full(mean_a.shape, "", dtype=object)
    difference[valid] = (mean_a - mean_b)[valid]
    with np.errstate(divide="ignore", invalid="ignore"):
        var_a, var_b = sd_a**2 / n_a, sd_b**2 / n_b
        se = np.sqrt(var_a + var_b)
        both = valid & (sd_a > 0) & (sd_b > 0)
        df[both] = ((var_a + var_b) ** 2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1)))[both]
        one = valid & ((sd_a > 0) ^ (sd_b > 0))
        pooled_df = n_a + n_b - 2
        pooled_sd = np.sqrt(((n_a - 1) * sd_a**2 + (n_b - 1) * sd_b**2) / pooled_df)
        df[one] = pooled_df[one]
        se = np.where(one, pooled_sd * np.sqrt(1 / n_a + 1 / n_b), se)
    if both.any():
        pick = [value[both] for value in (mean_a, sd_a, n_a, mean_b, sd_b, n_b)]
        p[both] = stats.ttest_ind_from_stats(*pick, equal_var=False).pvalue
        test[both] = "welch"
    if one.any():
        pick = [value[one] for value in (mean_a, sd_a, n_a, mean_b, sd_b, n_b)]
        p[one] = stats.ttest_ind_from_stats(*pick, equal_var=True).pvalue
        test[one] = "pooled t"
    spread = both | one
    half[spread] = stats.t.ppf(0.5 + confidence / 2, df[spread]) * se[spread]
    still = valid & ~spread
    if still.any():
        p[still] = [
            exact_no_spread(*values)
            for values in zip(mean_a[still], n_a[still].astype(int), mean_b[still], n_b[still].astype(int), strict=True)
        ]
    test[still] = "exact"
    # No test of these group sizes can be surer than the most extreme split of their answers.
    p = np.where(spread, np.maximum(p, permutation_floor(n_a, n_b)), p)
    return {
        "difference": difference,
        "df": df,
        "p": p,
        "ci_low": difference - half,
        "ci_high": difference + half,
        "test": test,
    }


def exact_no_spread(mean_a: float, n_a: int, mean_b: float, n_b: int) -> float:
    """Exact two-sided permutation p of a difference of means where everyone in a group gave its mean.

    Every way of splitting the n_a + n_b answers into groups of n_a and n_b is equally likely
    under no difference; a split with k of group a's answers left in group a has a difference
    (mean_a − mean_b)(k / n_a − (n_a − k) / n_b), so p is the hypergeometric chance of a split at
    least as far apart as the one observed (k = n_a).
    """
    from scipy import stats

    if mean_a == mean_b:
        return 1.0
    k = np.arange(max(0, n_a - n_b), n_a + 1)
    gap = np.abs(k / n_a - (n_a - k) / n_b)
    chance = stats.hypergeom.pmf(k, n_a + n_b, n_a, n_a)
    return float(min(1.0, chance[gap >= 1 - TOLERANCE].sum()))


TOLERANCE = 1e-9


def permutation_floor(n_a: ArrayLike, n_b: ArrayLike) -> np.ndarray:
    """The smallest two-sided p a permutation test of groups of n_a and n_b can give (2 / C(12, 6) for 6 and 6)."""
    from scipy import special

    n_a, n_b = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_a == n_b, 2.0, 1.0) / special.comb(n_a + n_b, n_a)


def minimum_detectable_change(
    sd: ArrayLike, n_before: ArrayLike, n_after: ArrayLike, alpha: ArrayLike = 0.05, power: float = 0.8
) -> np.ndarray | float:
    """The smallest difference of means two groups of these sizes would detect with `power`, testing at `alpha`.

    t-based (the noncentral t of a two-sided two-sample test with n_before + n_after − 2 df), not
    the normal approximation, which is 12% too small at 5 against 5. `alpha` should be the level
    the calls are made at (after the multiple-testing correction), not the nominal 5%. Shown in
    words beside every "no clear change" ("could detect a change of about 0.27"), so a CX lead sees
    whether the team could have shown one; it is not a margin of error. Numbers or arrays (element
    by element); NaN where a group has fewer than two respondents or the sd is unknown.
    """
    from scipy import special, stats

    sd, n_before, n_after, alpha = np.broadcast_arrays(
        *(np.asarray(value, dtype=float) for value in (sd, n_before, n_after, alpha))
    )
    valid = (np.minimum(n_before, n_after) >= 2) & np.isfinite(sd) & (alpha > 0) & (alpha < 1)
    result = np.full(sd.shape, np.nan)
    if valid.any():
        # The shift in se units depends only on df and the level: solve it once per pair of them.
        pairs, back = np.unique(
            np.column_stack([(n_before + n_after - 2)[valid], alpha[valid]]), axis=0, return_inverse=True
        )
        df, level = pairs[:, 0], pairs[:, 1]
        critical = stats.t.ppf(1 - level / 2, df)

        def reached(shift: np.ndarray) -> np.ndarray:
            # The far tail's NaN (scipy, for large shifts) is a chance of 0.
            far = np.nan_to_num(special.nctdtr(df, shift, -critical))
            return 1 - special.nctdtr(df, shift, critical) + far >= power

        # Bisection on every pair at once: power rises with the shift, which lies between the normal
        # approximation's and twice the t quantiles' sum; 40 halvings reach 1e-11.
        low = stats.norm.ppf(1 - level / 2) + stats.norm.ppf(power)
        high = 2 * (critical + stats.t.ppf(power, df))
        for _ in range(40):
            middle = (low + high) / 2
            done = reached(middle)
            high, low = np.where(done, middle, high), np.where(done, low, middle)
        result[valid] = high[back.ravel()] * sd[valid] * np.sqrt(1 / n_before[valid] + 1 / n_after[valid])
    return float(result) if result.ndim == 0 else result


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


def call_level(called: int, tested: int, alpha: float = 0.05) -> float:
    """The raw p a cell needs to be called a change after Benjamini–Hochberg across `tested` cells.

    With `called` cells already called, one more is called where its p is at most
    alpha · (called + 1) / tested: the level the detectable change is worked out at, so it
    promises no more than the calls deliver (alpha itself with a single test).
    """
    if tested <= 0:
        return float("nan")
    return min(alpha, alpha * (called + 1) / tested)


CHANGE_CALLS = ("up", "down", "no clear change", "no test possible")


FAMILIES = {
    "teams": "every shown team with no teams below it, and the organisation",
    "parents": "every shown team with teams below it",
}
"""The fixed Benjamini–Hochberg families of a pair of waves: what a p-value was corrected among."""


def changes(
    frame: pd.DataFrame, before_wave: int, after_wave: int, team_ids: Sequence[int], alpha: float = 0.05
) -> pd.DataFrame:
    """Per team and ADKAR element, the change from one wave to another, called only where it is significant.

    analysis.welch per cell, then Benjamini–Hochberg within a family fixed for the pair of waves,
    whatever `team_ids` the page shows: every team shown in both waves with no teams below it,
    with the organisation (family "teams"); parent teams, whose figures contain those teams, in a
    family of their own ("parents"). So a cell's call is the same under every team filter, and
    "up" and "down" hold for the whole family at once. Cells whose data are entered team means
    say "no test possible"; teams hidden in either wave are left out. `ci_low`/`ci_high` are the
    change's own 95% CI; `mdc` is the smallest change the two groups' n could detect (80% power)
    at `level`, the raw p a further cell of its family would have needed to be called
    (call_level), in the element's units. Only the rows of `team_ids` are returned.
    Returns team_id, team, order, element, before, after, delta, n_before, n_after, p, ci_low,
    ci_high, p_adjusted, call, level, mdc, family, family_size (cells tested in the family) and
    adjusted_among (the family in words).
    """
    table = _change_cells(frame, before_wave, after_wave)
    if table.empty:
        names = ["delta", "p", "ci_low", "ci_high", "p_adjusted", "call", "level", "mdc", "family", "family_size"]
        names.append("adjusted_among")
        return table.assign(**{name: [] for name in names})
    table["delta"] = table["after"] - table["before"]
    testable = table[["sd_before", "sd_after"]].notna().all(axis=1) & (table[["n_before", "n_after"]].min(axis=1) > 1)
    tested = welch(
        *(table[column].to_numpy(float) for column in ("after", "sd_after", "n_after")),
        *(table[column].to_numpy(float) for column in ("before", "sd_before", "n_before")),
    )
    table["p"], table["ci_low"], table["ci_high"] = tested["p"], tested["ci_low"], tested["ci_high"]
    parent = table["has_children"].astype(bool) & (table["team_id"] != ORGANISATION)
    table["family"] = np.where(parent, "parents", "teams")
    table["p_adjusted"] = np.nan
    for rows in table.groupby("family").groups.values():
        part = table.loc[rows]
        table.loc[rows, "p_adjusted"] = benjamini_hochberg(part["p"].to_numpy(float))
        significant = table.loc[rows, "p_adjusted"] < alpha
        table.loc[rows, "level"] = call_level(int(significant.sum()), int(part["p"].notna().sum()), alpha)
        table.loc[rows, "family_size"] = int(part["p"].notna().sum())
    significant = table["p_adjusted"] < alpha
    table["call"] = np.select(
        [~testable, significant & (table["delta"] > 0), significant & (table["delta"] < 0)],
        ["no test possible", "up", "down"],
        "no clear change",
    )
    table["family_size"] = table["family_size"].astype(int)
    table["adjusted_among"] = [
        f"{size:,} figures of {FAMILIES[family]}"
        for family, size in zip(table["family"], table["family_size"], strict=True)
    ]
    wanted = table[table["team_id"].isin(list(team_ids))].copy()
    pooled = np.sqrt((wanted["sd_before"] ** 2 + wanted["sd_after"] ** 2) / 2)
    wanted["mdc"] = minimum_detectable_change(pooled, wanted["n_before"], wanted["n_after"], wanted["level"])
    wanted["position"] = wanted["element"].map({element: position for position, element in enumerate(ELEMENTS)})
    ordered = wanted.sort_values(["order", "position"]).reset_index(drop=True)
    return ordered.drop(columns=["sd_before", "sd_after", "position", "has_children"])


def _change_cells(frame: pd.DataFrame, before_wave: int, after_wave: int) -> pd.DataFrame:
    """One row per team shown in both waves × element: the means, sds and n either side."""
    columns = ["team_id", "team", "order", "n", "suppressed", *ELEMENTS, *(f"{e}_sd" for e in ELEMENTS)]
    frame = frame if "has_children" in frame else frame.assign(has_children=False)
    columns.append("has_children")
    before = frame.loc[frame["wave_id"] == before_wave, columns].set_index("team_id")
    after = frame.loc[frame["wave_id"] == after_wave, columns].set_index("team_id")
    both = after.index.intersection(before.index)
    before, after = before.loc[both], after.loc[both]
    shown = ~(before["suppressed"].astype(bool) | after["suppressed"].astype(bool))
    before, after = before[shown], after[shown]
    cells = [
        pd.DataFrame(
            {
                "team_id": after.index,
                "team": after["team"].to_numpy(),
                "order": after["order"].to_numpy(),
                "has_children": after["has_children"].to_numpy(bool),
                "element": element,
                "before": before[element].to_numpy(float),
                "after": after[element].to_numpy(float),
                "sd_before": before[f"{element}_sd"].to_numpy(float),
                "sd_after": after[f"{element}_sd"].to_numpy(float),
                "n_before": before["n"].to_numpy(int),
                "n_after": after["n"].to_numpy(int),
            }
        )
        for element in ELEMENTS
    ]
    return pd.concat(cells, ignore_index=True)


def key_drivers(scores: pd.DataFrame) -> pd.DataFrame:
    """The priority matrix of the ADKAR elements for the outcome item: importance against current score.

    `scores` are complete respondent scores (response_scores) of the population shown. Returns
    element, weight, share (relative importance, sums to 1), score (the element's current mean)
    and n (respondents who also answered the outcome item).
    """
    complete = scores[scores["complete"].astype(bool)]
    weights = relative_weights(complete)
    weights["score"] = [float(complete[element].mean()) for element in weights["element"]]
    return weights


def describe_changes(table: pd.DataFrame) -> str:
    """One sentence on a changes() table: how many cells moved, and how many could not be tested."""
    counts = table["call"].value_counts()
    up, down = int(counts.get("up", 0)), int(counts.get("down", 0))
    untested = int(counts.get("no test possible", 0))
    tested = len(table) - untested
    text = (
        f"Of {tested} team × element figures tested, **{up} went up** and **{down} went down**; "
        f"the other {tested - up - down} show no clear change."
    )
    if untested:
        text += f" {untested} come from team-level entries: no test possible."
    return text


def describe_families(table: pd.DataFrame) -> str:
    """Which fixed family each shown p-value was corrected in, and how large it was (a changes() table)."""
    sizes = table.drop_duplicates("family").set_index("family")["family_size"]
    parts = [
        f"{'parent teams' if family == 'parents' else 'teams'} among the {int(sizes[family]):,} figures of "
        f"{FAMILIES[family]}"
        for family in FAMILIES
        if family in sizes
    ]
    return (
        "p-values are adjusted for testing many figures at once (Benjamini–Hochberg) within a family fixed for "
        "this pair of waves, whatever team you choose above: " + "; ".join(parts) + "."
    )


def describe_drivers(drivers: pd.DataFrame) -> str:
    """What a CX lead reads off the priority matrix: the elements to fix first, or the top driver."""
    mean_score = drivers["score"].mean()
    fix_first = drivers[(drivers["share"] > 1 / len(drivers)) & (drivers["score"] < mean_score)]
    top = drivers.sort_values("share", ascending=False).iloc[0]
    n = int(drivers["n"].iloc[0])
    r_squared = float(drivers["weight"].sum())
    lead = (
        "**Fix first: "
        + ", ".join(
            f"{ELEMENT_LABELS[e]} ({share:.0%} of the explained variance, scored {score:.2f})"
            for e, share, score in zip(fix_first["element"], fix_first["share"], fix_first["score"], strict=True)
        )
        + ".**"
        if not fix_first.empty
        else f"**{ELEMENT_LABELS[top['element']]} matters most** ({top['share']:.0%} of the explained variance), "
        "and no important element scores below the others."
    )
    return (
        f"{lead} The five elements together explain {r_squared:.0%} of the variance in confidence that the "
        f"programme will succeed (n = {n:,} respondents). This is an association, not proof of cause."
    )
