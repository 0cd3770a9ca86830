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


def barrier_points(means: pd.DataFrame, threshold: float, decimals: int | None = None) -> pd.Series:
    """The first element, in ADKAR order, at or below `threshold`, per row; None where there is none.

    Works for a respondent's element scores and a team's element means alike. With `decimals`, each
    mean is judged as it is printed at that many decimals, so a published figure's barrier agrees
    with the number shown: 2.996 and 3.004 both read "3.00", and both are at the threshold of 3.
    """
    values = means[list(ELEMENTS)]
    if decimals is not None:
        # As the figure is printed (f"{mean:.2f}"), not numpy's round, so the two never disagree.
        values = values.map(lambda mean: float(f"{mean:.{decimals}f}"))
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
    team_ids = rolled["team_id"].to_numpy(int)
    counts = rolled["n"].to_numpy(int)
    forced = rolled["force_hidden"].to_numpy(bool) if "force_hidden" in rolled else np.zeros(len(rolled), bool)
    known = rolled["known"].to_numpy(bool) if "known" in rolled else np.zeros(len(rolled), bool)
    others = rolled["complement_n"].to_numpy(int) if "complement_n" in rolled else None
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
        kind = _suppress_one(
            dict(zip(team_ids[part].tolist(), counts[part].tolist(), strict=True)),
            set(team_ids[part][forced[part]].tolist()),
            set(team_ids[part][known[part]].tolist()),
            children,
            min_n,
            None if others is None else dict(zip(team_ids[part].tolist(), others[part].tolist(), strict=True)),
        )
        kinds[part] = [kind[team] for team in team_ids[part].tolist()]
    return rolled.assign(suppressed=kinds.astype(bool), suppression=kinds)


def _suppress_one(
    n: dict[int, int],
    forced: set[int],
    known: set[int],
    children: Mapping[int, list[int]],
    min_n: int,
    complement: Mapping[int, int] | None = None,
) -> dict[int, str]:
    """Suppression within one wave (or other slice) of the roll-up: each team's kind of hiding, or "".

    A reader can subtract from any shown team the shown teams nearest below it (looking through
    hidden ones; `known` teams, whose entered means are public, count as shown); whatever remains
    must be nobody or at least `min_n` respondents. Where it is not, the smallest of those shown
    teams is hidden too (or the team itself), until every shown team passes. `forced` teams are
    hidden whatever their n ("complementary" where their n is not small).

    For a respondent group (champions), `complement` is each team's n in the other group: the
    view of everyone shows group + complement, so whatever a reader learns of this group they
    learn of the complement too, by subtracting the same teams' figures for everyone. The
    complement's part of each remainder, over the parent or over the hidden teams alone, must
    then also be nobody or at least `min_n`.
    """
    # A forced team may be large: it is hidden to protect another group, so it reads "hidden".
    kind = {
        team: "primary" if count < min_n else "complementary" if team in forced else "" for team, count in n.items()
    }
    kids = {team: [child for child in children[team] if child in n] for team in children if team in n}
    # A team with none below has nothing to subtract, unless its complement is on show elsewhere.
    checked = sorted(n) if complement is not None else sorted(team for team, below in kids.items() if below)

    def frontier(team: int) -> list[int]:
        """The shown teams nearest below `team`: what a reader can take away from its figure."""
        found = []
        for child in kids.get(team, []):
            found.extend([child] if not kind[child] or child in known else frontier(child) if child in kids else [])
        return found

    changed = True
    while changed:
        changed = False
        for team in checked:
            if kind[team]:
                continue
            below = frontier(team)
            remainder = n[team] - sum(n[c] for c in below)
            if 0 < remainder < min_n or (
                remainder > 0 and _reveals_complement(team, below, kids, kind, known, complement, min_n)
            ):
                # Hide the smallest shown team below; where only public figures are left, the team itself.
                hideable = [c for c in below if not kind[c] and c not in known]
                target = min(hideable, key=lambda c: (n[c], c)) if hideable else team
                kind[target] = "complementary"
                changed = True
    return kind


def _reveals_complement(
    team: int,
    below: list[int],
    kids: Mapping[int, list[int]],
    kind: Mapping[int, str],
    known: set[int],
    complement: Mapping[int, int] | None,
    min_n: int,
) -> bool:
    """Whether taking `below` from `team` in a group view gives a small part of the complement away."""
    if complement is None:
        return False

    def other(t: int) -> int:
        return complement.get(t, 0)

    def shown_below(t: int) -> list[int]:
        found = []
        for child in kids.get(t, []):
            found.extend([child] if not kind[child] or child in known else shown_below(child))
        return found

    whole = other(team) - sum(other(c) for c in below)  # through the team's own figure for everyone
    hidden = [c for c in kids.get(team, []) if kind[c] and c not in known]
    pieces = sum(other(c) - sum(other(f) for f in shown_below(c)) for c in hidden)  # through the hidden teams'
    return any(0 < part < min_n for part in (whole, pieces))


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
