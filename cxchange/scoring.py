"""Readiness arithmetic: pure functions over DataFrames that never change their inputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from cxchange.hierarchy import ORGANISATION, subtree_members
from cxchange.model import ELEMENTS, OUTCOME, readiness_index

STAT_COLUMNS: tuple[str, ...] = (*ELEMENTS, "readiness")
NO_BARRIER = "none"
TOLERANCE = 1e-9
"""Means summed in floating point miss an exact threshold by a hair (51 / 17 as 3.0000000000000004)."""
PUBLISHED_DECIMALS = 2
"""Means are published at 2 decimals; a team's barrier point is judged on the mean as published."""


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


def printed(values: np.ndarray, decimals: int) -> np.ndarray:
    """Numbers as they are printed at `decimals` (f"{value:.2f}"): numpy's rounding, and the printing itself
    where a value lies so close to a half that the two could disagree (2.675 prints as 2.67)."""
    rounded = np.round(values, decimals)
    scaled = values * 10.0**decimals
    near = np.isfinite(values) & (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    rounded[near] = [float(f"{value:.{decimals}f}") for value in values[near]]
    return rounded


def barrier_points(means: pd.DataFrame, threshold: float, decimals: int | None = None) -> pd.Series:
    """The first element, in ADKAR order, at or below `threshold`, per row; None where there is none.

    Works for a respondent's element scores and a team's element means alike. With `decimals`, each
    mean is judged as it is printed at that many decimals, so a published figure's barrier agrees
    with the number shown: 2.996 and 3.004 both read "3.00", and both are at the threshold of 3.
    """
    values = means[list(ELEMENTS)]
    if decimals is not None:
        values = values.astype(float).copy()
        values.iloc[:, :] = printed(values.to_numpy(float), decimals)
    low = values.le(threshold + TOLERANCE)
    # object dtype: a str-dtype Series (pandas 3) would turn None into NaN.
    first = low.idxmax(axis=1).astype(object)
    return first.where(low.any(axis=1), None)


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
    n = stats["n"].to_numpy(float)
    entered = stats["aggregate_n"].to_numpy(float) if "aggregate_n" in stats else np.zeros(len(stats))
    columns = [column for column in (*STAT_COLUMNS, OUTCOME) if column in stats]
    spread = [column for column in STAT_COLUMNS if f"{column}_sd" in stats]
    means = stats[columns].to_numpy(float)
    present = ~np.isnan(means)
    # Sums of squares of respondent scores, so each pooled sd is exact (unknown for entered means).
    sds = stats[[f"{column}_sd" for column in spread]].to_numpy(float)
    sds = np.where(entered[:, None] > 0, np.nan, np.nan_to_num(sds))
    spread_means = stats[spread].to_numpy(float)
    squares = np.nan_to_num((n[:, None] - 1) * sds**2 + n[:, None] * spread_means**2)
    # Each mean weighs the people behind it: the optional outcome item by those who answered it.
    behind = np.repeat(n[:, None], len(columns), axis=1)
    if OUTCOME in columns and f"{OUTCOME}_n" in stats:
        behind[:, columns.index(OUTCOME)] = stats[f"{OUTCOME}_n"].fillna(stats["n"]).to_numpy(float)
    matrix = np.column_stack([np.where(present, means, 0.0) * behind, present * behind, squares, n, entered])
    if stats.empty:
        names = ["team_id", *keys, "n", *columns, *(f"{c}_sd" for c in spread), "aggregate_n", "direct_n"]
        return pd.DataFrame({name: pd.Series(dtype=float) for name in names})
    index, sums, direct_n = _subtree_sums(stats, teams, keys, matrix)
    width = len(columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = sums[:, width : 2 * width]
        result_means = np.where(weights > 0, sums[:, :width] / weights, np.nan)
        total = sums[:, -2]
        result = {"team_id": index["ancestor_id"].to_numpy(), **{key: index[key].to_numpy() for key in keys}}
        result["n"] = total.astype(int)
        result.update({column: result_means[:, position] for position, column in enumerate(columns)})
        known = (total > 1) & (sums[:, -1] == 0)
        for position, column in enumerate(spread):
            mean = result[column]
            variance = (sums[:, 2 * width + position] - total * mean**2) / (total - 1)
            result[f"{column}_sd"] = np.where(known, np.sqrt(np.clip(variance, 0, None)), np.nan)
    result["aggregate_n"] = sums[:, -1].astype(int)
    result["direct_n"] = direct_n.astype(int)
    return pd.DataFrame(result)


def _subtree_sums(
    stats: pd.DataFrame, teams: pd.DataFrame, keys: list[str], matrix: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Sum the rows of `matrix` (one per stats row; its second-last column is n) over each team's
    subtree and the organisation's, per combination of `keys`.

    One sparse product (ancestors × teams) · (teams × key combinations × columns), so the cost
    grows with teams and waves, not with respondents or pairs. Returns the (ancestor_id, *keys)
    of each combination with rows below, the sums, and the n recorded against the ancestor itself.
    """
    from scipy import sparse

    members = subtree_members(teams)
    team_ids = np.union1d(members["team_id"].to_numpy(int), stats["team_id"].to_numpy(int))
    ancestor_ids = np.union1d(members["ancestor_id"].to_numpy(int), [ORGANISATION])
    membership = sparse.csr_matrix(
        (
            np.ones(len(members)),
            (np.searchsorted(ancestor_ids, members["ancestor_id"]), np.searchsorted(team_ids, members["team_id"])),
        ),
        shape=(len(ancestor_ids), len(team_ids)),
    )
    if len(keys) == 1:
        codes, uniques = pd.factorize(stats[keys[0]])
        key_frame = pd.DataFrame({keys[0]: np.asarray(uniques)})
    elif keys:
        codes, combinations = pd.MultiIndex.from_frame(stats[keys]).factorize()
        key_frame = combinations.to_frame(index=False, name=keys)
    else:
        codes, key_frame = np.zeros(len(stats), dtype=int), pd.DataFrame(index=[0])
    width = len(key_frame)
    rows = np.searchsorted(team_ids, stats["team_id"].to_numpy(int)) * width + codes
    gather = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(len(team_ids) * width, len(rows))
    )
    by_team = gather @ np.column_stack([matrix, np.ones(len(matrix))])
    rolled = (membership @ by_team.reshape(len(team_ids), -1)).reshape(len(ancestor_ids) * width, -1)
    own = np.zeros((len(ancestor_ids), width))
    is_team = np.isin(ancestor_ids, team_ids)
    own[is_team] = by_team[:, -3].reshape(len(team_ids), width)[np.searchsorted(team_ids, ancestor_ids[is_team])]
    present = rolled[:, -1] > 0
    index = pd.DataFrame({"ancestor_id": np.repeat(ancestor_ids, width)})
    for column in keys:
        index[column] = np.tile(key_frame[column].to_numpy(), len(ancestor_ids))
    return index[present].reset_index(drop=True), rolled[present, :-1], own.reshape(-1)[present]


def suppress(
    rolled: pd.DataFrame, teams: pd.DataFrame, min_n: int, by: Iterable[str] = (), counts: Iterable[str] = ("n",)
) -> pd.DataFrame:
    """Mark which roll-up rows may be shown under the minimum group size, with complementary suppression.

    Each column of `counts` is a part of the respondents a reader can add and subtract on its own
    (survey respondents for everyone; champions and the rest for the group views, which show or hide
    a team in both). A row is hidden ("primary") where `n` or any count is below `min_n` (and not 0),
    or where `force_hidden` says so ("complementary" unless small). Teams in `public` (a bool column)
    are never hidden: their figures follow from ones published elsewhere. Then, per slice of `by`,
    hiding spreads until no shown parent minus its shown teams below leaves a small remainder and no
    hidden team can be worked out exactly (_suppress_one).
    Returns `rolled` with `suppressed` (bool) and `suppression` ("", "primary", "complementary").
    """
    keys, dims = list(by), list(counts)
    children: dict[int, list[int]] = {ORGANISATION: []}
    for team_id, parent_id in zip(teams["id"], teams["parent_id"], strict=True):
        parent = ORGANISATION if parent_id is None or pd.isna(parent_id) else int(parent_id)
        children.setdefault(parent, []).append(int(team_id))
    team_ids = rolled["team_id"].to_numpy(int)
    sizes = rolled[dims].to_numpy(int)
    small = ((sizes > 0) & (sizes < min_n)).any(axis=1) | (rolled["n"].to_numpy(int) < min_n)
    forced = rolled["force_hidden"].to_numpy(bool) if "force_hidden" in rolled else np.zeros(len(rolled), bool)
    public = rolled["public"].to_numpy(bool) if "public" in rolled else np.zeros(len(rolled), bool)
    kinds = np.full(len(rolled), "", dtype=object)
    if keys:
        slice_of = rolled[keys[0]] if len(keys) == 1 else pd.MultiIndex.from_frame(rolled[keys])
        codes = pd.factorize(slice_of)[0]
        order = np.argsort(codes, kind="stable")
        parts = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    else:
        parts = [np.arange(len(rolled))]
    for part in parts:
        if len(part) == 0:
            continue
        ids = team_ids[part].tolist()
        start = {
            team: "primary" if tiny else "complementary" if force else ""
            for team, tiny, force in zip(ids, small[part], forced[part] & ~public[part], strict=True)
        }
        kind = _suppress_one(
            dict(zip(ids, map(tuple, sizes[part].tolist()), strict=True)),
            start,
            set(team_ids[part][public[part]].tolist()),
            children,
            min_n,
        )
        kinds[part] = [kind[team] for team in ids]
    return rolled.assign(suppressed=kinds.astype(bool), suppression=kinds)


def _suppress_one(
    n: dict[int, tuple[int, ...]],
    kind: dict[int, str],
    public: set[int],
    children: Mapping[int, list[int]],
    min_n: int,
) -> dict[int, str]:
    """Suppression within one wave (or other slice): each team's kind of hiding, or "".

    `n` holds each team's subtree counts, one per part a reader can subtract on its own; `kind` the
    hiding so far. Published figures are subtree sums, so what a reader can work out is spanned by
    the regions: a shown team minus the shown teams nearest below it (looking through hidden ones).
    Two checks per team along the tree keep every hidden group unknown, in every part:
    - a shown team's region holds nobody or at least `min_n` (else its smallest shown team below is
      hidden too, or the team itself);
    - a hidden team is neither the sum of the shown teams below it nor the whole region of the shown
      team above it (else one more team below, or beside it, is hidden).
    Each pass is linear in the teams; passes repeat until nothing changes, so the cost grows with
    teams times the depth of the cascade, never with a global solver.
    """
    kind = dict(kind)
    width = len(next(iter(n.values()))) if n else 0
    kids = {team: [child for child in children.get(team, []) if child in n] for team in n}
    is_child = {child for below in kids.values() for child in below}
    roots = [team for team in n if team not in is_child]

    def frontier(team: int) -> list[int]:
        """The shown teams nearest below `team`: what a reader can take away from its figure."""
        found, stack = [], list(reversed(kids[team]))
        while stack:
            child = stack.pop()
            if kind[child]:
                stack.extend(reversed(kids[child]))
            else:
                found.append(child)
        return found

    def hideable(candidates: list[int], dim: int) -> list[int]:
        return sorted((c for c in candidates if c not in public and n[c][dim] > 0), key=lambda c: (n[c][dim], c))

    order: list[int] = []  # parents before children
    stack = list(roots)
    while stack:
        team = stack.pop()
        order.append(team)
        stack.extend(kids[team])
    changed = True
    while changed:
        changed = False
        below = {team: [0] * width for team in n}
        for team in reversed(order):
            own = below[team]
            for child in kids[team]:
                add = n[child] if not kind[child] else below[child]
                for d in range(width):
                    own[d] += add[d]
        above: dict[int, int | None] = {}
        for team in order:
            for child in kids[team]:
                above[child] = team if not kind[team] else above.get(team)
        targets: set[int] = set()
        for team in order:
            rest = [n[team][d] - below[team][d] for d in range(width)]
            if not kind[team]:
                for d in range(width):
                    if 0 < rest[d] < min_n:
                        chosen = hideable(frontier(team), d)
                        targets.add(chosen[0] if chosen else team)
                        break
                continue
            for d in range(width):
                if n[team][d] == 0:
                    continue
                if rest[d] == 0:  # the hidden team is the sum of the shown teams below it
                    chosen = hideable(frontier(team), d)
                    if chosen:
                        targets.add(chosen[0])
                        break
                parent = above.get(team)
                if parent is not None and 0 < rest[d] == n[parent][d] - below[parent][d]:
                    # the shown team above minus its shown teams below is this hidden team alone
                    inside = set(frontier(team))
                    chosen = hideable([c for c in frontier(parent) if c not in inside], d)
                    targets.add(chosen[0] if chosen else parent)
                    break
        targets = {team for team in targets if not kind[team] and team not in public}
        for team in targets:
            kind[team] = "complementary"
            changed = True
    return kind


def confidence_interval(
    mean: pd.Series, sd: pd.Series, n: pd.Series, level: float = 0.95
) -> tuple[pd.Series, pd.Series]:
    """The t-based confidence interval of a mean, from its sd and n.

    NaN where n < 2, and where the sd is 0: a group whose answers do not vary in this sample
    still has people who would, so no band is drawn rather than one of zero width.
    """
    from scipy import stats as scipy_stats  # scipy takes a second to import: only where an interval is drawn

    n_float = n.astype(float)
    t = pd.Series(scipy_stats.t.ppf(0.5 + level / 2, (n_float - 1).where(n_float > 1)), index=mean.index)
    half = (t * sd / np.sqrt(n_float)).where(sd > 0)
    return mean - half, mean + half
