"""Readiness arithmetic: pure functions over DataFrames that never change their inputs."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from cxchange.hierarchy import ORGANISATION, Tree, subtree_members
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
    low = values.to_numpy(float) <= threshold + TOLERANCE
    names = np.array([*ELEMENTS, None], dtype=object)
    # object dtype: a str-dtype Series (pandas 3) would turn None into NaN.
    first = np.where(low.any(axis=1), low.argmax(axis=1), len(ELEMENTS))
    return pd.Series(names[first], index=means.index, dtype=object)


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
    are never hidden: their figures follow from ones published elsewhere. Then, in every slice of
    `by` at once, hiding spreads until no shown parent minus its shown teams below leaves a small
    remainder and no hidden team can be worked out exactly (_spread).
    Returns `rolled` with `suppressed` (bool) and `suppression` ("", "primary", "complementary").
    """
    dims = list(counts)
    grid = _Grid(rolled, teams, by)
    sizes = rolled[dims].to_numpy(np.int64)
    small = ((sizes > 0) & (sizes < min_n)).any(axis=1) | (rolled["n"].to_numpy(int) < min_n)
    forced = rolled["force_hidden"].to_numpy(bool) if "force_hidden" in rolled else np.zeros(len(rolled), bool)
    public = rolled["public"].to_numpy(bool) if "public" in rolled else np.zeros(len(rolled), bool)
    hidden = grid.rows(
        _spread(
            grid.tree,
            grid.place(sizes),
            grid.place(np.ones(len(rolled), bool)),
            grid.place(small | (forced & ~public)),
            grid.place(public),
            min_n,
        )
    )
    kinds = np.where(small, "primary", np.where(hidden, "complementary", "")).astype(object)
    return rolled.assign(suppressed=hidden, suppression=kinds)


def follows_from_below(
    rolled: pd.DataFrame,
    teams: pd.DataFrame,
    counts: Iterable[str],
    known: np.ndarray,
    allowed: np.ndarray,
    by: Iterable[str] = (),
) -> np.ndarray:
    """Which roll-up rows' figures a reader can work out from figures below them, per row.

    A row is known where `known` says so, or where `allowed` and, in some column of `counts`, the
    team has nobody of its own and every team directly below with somebody in that column is known:
    its figure in that column is then the sum of theirs. (In a column where a team has nobody at
    all, it is known at once.) Worked up the tree from the deepest teams, every slice of `by` at once.
    """
    grid = _Grid(rolled, teams, by)
    tree = grid.tree
    size = grid.place(rolled[list(counts)].to_numpy(np.int64))
    own = size - tree.children_sum(size)
    result, permitted = grid.place(np.asarray(known, bool)), grid.place(np.asarray(allowed, bool))
    unknown_below = np.zeros(size.shape, dtype=np.int64)  # per node and column: teams below not known
    for depth, level in reversed(list(enumerate(tree.levels))):
        result[level] |= permitted[level] & ((own[level] == 0) & (unknown_below[level] == 0)).any(axis=-1)
        if depth:
            np.add.at(unknown_below, tree.parent[level], (size[level] > 0) & ~result[level][..., None])
    return grid.rows(result)


class _Grid:
    """Roll-up rows laid out as (tree node, slice of `by`) cells, for work on every slice at once."""

    def __init__(self, rolled: pd.DataFrame, teams: pd.DataFrame, by: Iterable[str]) -> None:
        keys = list(by)
        self.tree = Tree.of(teams)
        if keys:
            slice_of = rolled[keys[0]] if len(keys) == 1 else pd.MultiIndex.from_frame(rolled[keys])
            self.codes, uniques = pd.factorize(slice_of)
            self.slices = max(len(uniques), 1)
        else:
            self.codes, self.slices = np.zeros(len(rolled), dtype=int), 1
        self.nodes = self.tree.positions(rolled["team_id"].to_numpy(int))

    def place(self, values: np.ndarray) -> np.ndarray:
        """Per-row values as a (nodes × slices × …) array; cells without a row hold zero (False)."""
        grid = np.zeros((len(self.tree.ids), self.slices, *values.shape[1:]), dtype=values.dtype)
        grid[self.nodes, self.codes] = values
        return grid

    def rows(self, grid: np.ndarray) -> np.ndarray:
        """The per-row values of a (nodes × slices × …) array."""
        return grid[self.nodes, self.codes]


NOBODY = np.iinfo(np.int64).max
"""The key of "no team": larger than any (size, id) key, so a minimum over nobody is NOBODY."""


def _spread(
    tree: Tree, size: np.ndarray, present: np.ndarray, hidden: np.ndarray, public: np.ndarray, min_n: int
) -> np.ndarray:
    """Complementary suppression in every slice at once; returns which (node, slice) cells are hidden.

    `size` holds each node's subtree counts per slice (nodes × slices × parts a reader can subtract on
    their own); `present` which nodes have a row in a slice; `hidden` the hiding so far; `public` the
    cells never hidden. Published figures are subtree sums, so what a reader can work out is spanned
    by the regions: a shown team minus the shown teams nearest below it (its frontier, looking through
    hidden ones). Two checks per team keep every hidden group unknown, in every part:
    - a shown team's region holds nobody or at least `min_n` (else the smallest hideable team of its
      frontier is hidden too, or the team itself);
    - a hidden team is neither the sum of its frontier nor the whole region of the shown team above it
      (else the smallest hideable team of its frontier, or of the frontier above outside it, or that team).
    Each pass is a few array operations per level of the tree; passes repeat until nothing changes, so
    the cost grows with teams times slices times the depth of the cascade, never with a global solver.
    """
    hidden, parent = hidden.copy(), tree.parent
    deeper = tree.levels[1:]
    non_root = np.concatenate(deeper) if deeper else np.zeros(0, dtype=np.int64)
    span = int(tree.ids.max()) + 1
    # A candidate's key orders by its count, then its id: the smallest hideable team comes first.
    key = np.where((present & ~public)[..., None] & (size > 0), size * span + tree.ids[:, None, None], NOBODY)
    node_of = np.full(span, -1, dtype=np.int64)
    node_of[tree.ids] = np.arange(len(tree.ids))
    slice_index = np.arange(size.shape[1])[None, :]
    while True:
        shown = ~hidden
        below = np.zeros_like(size)
        front = np.full(size.shape, NOBODY, dtype=np.int64)  # smallest hideable key of each node's frontier
        through = np.full(size.shape, NOBODY, dtype=np.int64)  # a node's own key if shown, else its frontier's
        for level in reversed(deeper):
            see = shown[level][..., None]
            np.add.at(below, parent[level], np.where(see, size[level], below[level]))
            through[level] = np.where(see, key[level], front[level])
            np.minimum.at(front, parent[level], through[level])
        rest = size - below
        above = np.full(hidden.shape, -1, dtype=np.int64)  # the nearest shown team above, -1 for none
        outside = np.full(size.shape, NOBODY, dtype=np.int64)  # smallest key of that team's frontier outside
        first, second = np.full(size.shape, NOBODY, dtype=np.int64), np.full(size.shape, NOBODY, dtype=np.int64)
        np.minimum.at(first, parent[non_root], through[non_root])
        smallest = (through[non_root] == first[parent[non_root]]) & (through[non_root] < NOBODY)
        np.minimum.at(second, parent[non_root], np.where(smallest, NOBODY, through[non_root]))
        siblings = np.full(size.shape, NOBODY, dtype=np.int64)
        siblings[non_root] = np.where(smallest, second[parent[non_root]], first[parent[non_root]])
        for level in deeper:
            up = parent[level]
            above[level] = np.where(shown[up], up[:, None], above[up])
            outside[level] = np.where(shown[up][..., None], siblings[level], np.minimum(siblings[level], outside[up]))
        have = present[..., None]
        # a shown team whose region holds a small remainder
        loose = have & shown[..., None] & (rest > 0) & (rest < min_n)
        # a hidden team that is the sum of its frontier, or the whole region of the team above
        gathered = rest[np.maximum(above, 0), slice_index]
        summed = (rest == 0) & (front < NOBODY)
        alone = (above >= 0)[..., None] & (rest > 0) & (rest == gathered)
        open_ = have & hidden[..., None] & (size > 0) & (summed | alone)
        targets = np.zeros(hidden.shape, bool)
        for cases, pick, fallback in (
            (loose, front, np.broadcast_to(np.arange(len(tree.ids))[:, None], hidden.shape)),
            (open_, np.where(summed, front, outside), above),
        ):
            part = cases.argmax(axis=2)[..., None]
            hit = cases.any(axis=2)
            chosen = np.take_along_axis(pick, part, axis=2)[..., 0]
            team = np.where(chosen < NOBODY, node_of[np.where(chosen < NOBODY, chosen % span, 0)], fallback)
            team = team[hit]
            targets[team, np.broadcast_to(slice_index, hidden.shape)[hit]] = True
        new = targets & ~hidden & ~public & present
        if not new.any():
            return hidden
        hidden |= new


def confidence_interval(
    mean: pd.Series, sd: pd.Series, n: pd.Series, level: float = 0.95
) -> tuple[pd.Series, pd.Series]:
    """The t-based confidence interval of a mean, from its sd and n.

    NaN where n < 2, and where the sd is 0: a group whose answers do not vary in this sample
    still has people who would, so no band is drawn rather than one of zero width.
    """
    from scipy import stats as scipy_stats  # scipy takes a second to import: only where an interval is drawn

    n_float = n.astype(float)
    # one quantile per distinct n: a few hundred instead of one per row
    distinct, position = np.unique((n_float - 1).where(n_float > 1).to_numpy(float), return_inverse=True)
    t = pd.Series(scipy_stats.t.ppf(0.5 + level / 2, distinct)[position.reshape(-1)], index=mean.index)
    half = (t * sd / np.sqrt(n_float)).where(sd > 0)
    return mean - half, mean + half
