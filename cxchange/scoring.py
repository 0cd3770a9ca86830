"""Readiness arithmetic: pure functions over DataFrames that never change their inputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from cxchange.model import ELEMENTS, OUTCOME, readiness_index

ORGANISATION = 0
"""The team id standing for the whole organisation in roll-ups (real team ids start at 1)."""

STAT_COLUMNS: tuple[str, ...] = (*ELEMENTS, "readiness")
NO_BARRIER = "none"


def element_scores(answers: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's element scores (mean of the element's answered items) and readiness index.

    Parameters: `answers` has response_id, item_code, value; `items` has code, element.
    Returns one row per response_id with the five elements, outcome, `complete` (every ADKAR
    element answered) and `readiness` (0–100, complete responses only).
    """
    wide = answers.pivot_table(index="response_id", columns="item_code", values="value", aggfunc="first")
    all_ids = pd.Index(answers["response_id"].unique(), name="response_id")
    return element_scores_wide(wide.reindex(all_ids), items)


def element_scores_wide(values: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """element_scores for answers laid out one column per item code, one row per respondent (NaN: missing)."""
    element_of = dict(zip(items["code"], items["element"], strict=True))
    numbers = values.astype(float)
    scores = pd.DataFrame(
        {
            element: numbers[[code for code in numbers.columns if element_of.get(code) == element]].mean(axis=1)
            for element in (*ELEMENTS, OUTCOME)
        },
        index=values.index,
    )
    scores["complete"] = scores[list(ELEMENTS)].notna().all(axis=1)
    scores["readiness"] = readiness_index(scores[list(ELEMENTS)].mean(axis=1)).where(scores["complete"])
    return scores


def barrier_points(means: pd.DataFrame, threshold: float) -> pd.Series:
    """The first element, in ADKAR order, at or below `threshold`, per row; None where there is none.

    Works for a respondent's element scores and a team's element means alike.
    """
    low = means[list(ELEMENTS)].le(threshold)
    # object dtype: a str-dtype Series (pandas 3) would turn None into NaN.
    first = low.idxmax(axis=1).astype(object)
    return first.where(low.any(axis=1), None)


def team_means(scores: pd.DataFrame, by: Iterable[str] = ("team_id",)) -> pd.DataFrame:
    """Element means, readiness mean and sd per group, from complete respondent scores only.

    `n` is the number of complete responses; each respondent counts once in every element.
    """
    keys = list(by)
    complete = scores[scores["complete"].astype(bool)]
    grouped = complete.groupby(keys)
    result = grouped[list(STAT_COLUMNS)].mean()
    result.insert(0, "n", grouped.size())
    result["readiness_sd"] = grouped["readiness"].std(ddof=1)
    return result.reset_index()


def barrier_distribution(scores: pd.DataFrame, threshold: float, by: str = "team_id") -> pd.DataFrame:
    """Share of each group's complete respondents whose barrier point is each element, or "none"."""
    complete = scores[scores["complete"].astype(bool)]
    points = barrier_points(complete, threshold).fillna(NO_BARRIER)
    frame = pd.DataFrame({by: complete[by].to_numpy(), "barrier_point": points.to_numpy()})
    counts = frame.value_counts([by, "barrier_point"]).rename("count").reset_index()
    counts["share"] = counts["count"] / counts.groupby(by)["count"].transform("sum")
    order = {name: position for position, name in enumerate((*ELEMENTS, NO_BARRIER))}
    return counts.sort_values([by, "barrier_point"], key=lambda s: s.map(order) if s.name == "barrier_point" else s)


def subtree_members(teams: pd.DataFrame) -> pd.DataFrame:
    """Every (ancestor_id, team_id) pair where team_id is in ancestor_id's subtree, itself included.

    The organisation (ORGANISATION) is the ancestor of every team.
    """
    parent = dict(zip(teams["id"], teams["parent_id"], strict=True))
    pairs = []
    for team_id in teams["id"]:
        pairs.append((ORGANISATION, team_id))
        node = team_id
        seen = set()
        while node is not None and not pd.isna(node) and node not in seen:
            seen.add(node)
            pairs.append((int(node), team_id))
            node = parent.get(node)
    return pd.DataFrame(pairs, columns=["ancestor_id", "team_id"])


def roll_up(stats: pd.DataFrame, teams: pd.DataFrame, by: Iterable[str] = ()) -> pd.DataFrame:
    """Each team's figures over its whole subtree, and the organisation's, weighted by respondents.

    Parameters: `stats` has team_id, n, the element means, outcome, readiness and readiness_sd per
    team (and the `by` columns, e.g. wave_id; optionally `{element}_sd`); a team may have several
    rows (survey responses and team-level entry, marked by `aggregate_n`, the n behind entered
    means, whose sd is unknown; or respondent groups).
    Returns the same columns per ancestor (team_id = the ancestor), plus `direct_n`, the responses
    recorded against that team itself, and `aggregate_n`. Averages are never averaged: each mean
    is weighted by the n behind it, and a missing mean weighs nothing; each sd is pooled exactly.
    """
    keys = list(by)
    frame = stats.copy()
    if "aggregate_n" not in frame:
        frame["aggregate_n"] = 0
    spread = [column for column in STAT_COLUMNS if f"{column}_sd" in frame]
    numbers = [column for column in (*STAT_COLUMNS, OUTCOME, *(f"{c}_sd" for c in spread)) if column in frame]
    frame[numbers] = frame[numbers].astype(float)
    frame[["n", "aggregate_n"]] = frame[["n", "aggregate_n"]].astype(int)
    columns = [column for column in (*STAT_COLUMNS, OUTCOME) if column in frame]
    weighted = frame[columns].mul(frame["n"], axis=0)
    weights = frame[columns].notna().mul(frame["n"], axis=0).add_suffix("_n")
    # Sums of squares of respondent scores, so each pooled sd is exact (unknown for entered means).
    for column in spread:
        sd = frame[f"{column}_sd"].where(frame["aggregate_n"] > 0, frame[f"{column}_sd"].fillna(0.0))
        weighted[f"{column}_sumsq"] = (frame["n"] - 1) * sd**2 + frame["n"] * frame[column] ** 2
    squares = [f"{column}_sumsq" for column in spread]
    weighted = pd.concat([weighted, weights, frame[["n", "aggregate_n", "team_id", *keys]]], axis=1)
    joined = subtree_members(teams).merge(weighted, on="team_id")
    sums = joined.groupby(["ancestor_id", *keys])[[*columns, *weights.columns, *squares, "n", "aggregate_n"]].sum()
    result = pd.DataFrame(
        {column: sums[column] / sums[f"{column}_n"].where(sums[f"{column}_n"] > 0) for column in columns}
    )
    result.insert(0, "n", sums["n"].astype(int))
    known = (sums["n"] > 1) & (sums["aggregate_n"] == 0)
    for column in spread:
        variance = (sums[f"{column}_sumsq"] - sums["n"] * result[column] ** 2) / (sums["n"] - 1)
        result[f"{column}_sd"] = np.sqrt(variance.clip(lower=0)).where(known)
    result["aggregate_n"] = sums["aggregate_n"].astype(int)
    result = result.reset_index().rename(columns={"ancestor_id": "team_id"})
    direct = stats.groupby(["team_id", *keys])["n"].sum().rename("direct_n").reset_index()
    result = result.merge(direct, on=["team_id", *keys], how="left")
    result["direct_n"] = result["direct_n"].fillna(0).astype(int)
    return result


def suppress(rolled: pd.DataFrame, teams: pd.DataFrame, min_n: int, by: Iterable[str] = ()) -> pd.DataFrame:
    """Mark which roll-up rows may be shown under the minimum group size, with complementary suppression.

    A group below `min_n` is hidden ("primary"). Where a shown parent minus its shown children
    would leave a remainder of fewer than `min_n` respondents (its own direct responses plus hidden
    children that cannot be worked out from their own children), the smallest shown child is
    hidden too ("complementary"), until no difference reveals a small group.
    Returns `rolled` with `suppressed` (bool) and `suppression` ("", "primary", "complementary").
    """
    keys = list(by)
    children: dict[int, list[int]] = {ORGANISATION: []}
    for team_id, parent_id in zip(teams["id"], teams["parent_id"], strict=True):
        parent = ORGANISATION if parent_id is None or pd.isna(parent_id) else int(parent_id)
        children.setdefault(parent, []).append(int(team_id))
    parts = []
    groups = rolled.groupby(keys) if keys else [((), rolled)]
    for _, group in groups:
        parts.append(_suppress_one(group, children, min_n))
    result = pd.concat(parts) if parts else rolled.assign(suppressed=False, suppression="")
    return result.loc[rolled.index]


def _suppress_one(group: pd.DataFrame, children: Mapping[int, list[int]], min_n: int) -> pd.DataFrame:
    """Suppression within one wave (or other slice) of the roll-up.

    A reader can subtract from any shown team the shown teams nearest below it (looking through
    hidden ones; `known` teams, whose entered means are public, count as shown); whatever remains
    must be nobody or at least `min_n` respondents. Where it is not, the smallest of those shown
    teams is hidden too (or the team itself), until every shown team passes. `force_hidden` rows
    are hidden whatever their n ("complementary" where their n is not small).
    """
    n = dict(zip(group["team_id"], group["n"], strict=True))
    forced = set(group.loc[group["force_hidden"], "team_id"]) if "force_hidden" in group else set()
    known = set(group.loc[group["known"], "team_id"]) if "known" in group else set()
    # A forced team may be large: it is hidden to protect another group, so it reads "hidden".
    kind = {
        team: "primary" if count < min_n else "complementary" if team in forced else "" for team, count in n.items()
    }

    def kids(team: int) -> list[int]:
        return [child for child in children.get(team, []) if n.get(child, 0) > 0]

    def frontier(team: int) -> list[int]:
        """The shown teams nearest below `team`: what a reader can take away from its figure."""
        found = []
        for child in kids(team):
            found.extend([child] if not kind[child] or child in known else frontier(child))
        return found

    changed = True
    while changed:
        changed = False
        for team in sorted(n):
            if kind[team]:
                continue
            below = frontier(team)
            remainder = n[team] - sum(n[c] for c in below)
            if 0 < remainder < min_n:
                # Hide the smallest shown team below; where only public entries are left, the team itself.
                hideable = [c for c in below if not kind[c]]
                target = min(hideable, key=lambda c: (n[c], c)) if hideable else team
                kind[target] = "complementary"
                changed = True
    return group.assign(
        suppressed=group["team_id"].map(lambda t: bool(kind[t])),
        suppression=group["team_id"].map(kind),
    )


def welch(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int) -> float:
    """Two-sided p-value of Welch's t-test from summary figures (NaN where a group has n < 2)."""
    if min(n_a, n_b) < 2 or pd.isna(sd_a) or pd.isna(sd_b):
        return float("nan")
    if sd_a == 0 and sd_b == 0:
        return 0.0 if mean_a != mean_b else 1.0
    from scipy import stats as scipy_stats  # scipy takes a second to import: only where a test is run

    result = scipy_stats.ttest_ind_from_stats(mean_a, sd_a, n_a, mean_b, sd_b, n_b, equal_var=False)
    return float(result.pvalue)


def confidence_interval(
    mean: pd.Series, sd: pd.Series, n: pd.Series, level: float = 0.95
) -> tuple[pd.Series, pd.Series]:
    """The t-based confidence interval of a mean, from its sd and n (NaN where n < 2)."""
    from scipy import stats as scipy_stats

    n_float = n.astype(float)
    t = pd.Series(scipy_stats.t.ppf(0.5 + level / 2, (n_float - 1).where(n_float > 1)), index=mean.index)
    half = t * sd / np.sqrt(n_float)
    return mean - half, mean + half
