"""Readiness figures as every view shows them: rolled up the hierarchy, suppressed, with n and CIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxchange import analysis, scoring
from cxchange.hierarchy import ORGANISATION, Tree, subtree_members, suppression_text, team_tree
from cxchange.model import ELEMENT_LABELS, ELEMENTS, OUTCOME, REMEDIES, readiness_index
from cxchange.text import NO_RATE, p_text, response_rate_text

FIGURE_COLUMNS: tuple[str, ...] = (
    *ELEMENTS,
    *(f"{element}_sd" for element in ELEMENTS),
    OUTCOME,
    "readiness",
    "readiness_sd",
    "ci_low",
    "ci_high",
    "response_rate",
)


def default_initiative(waves: pd.DataFrame, initiatives: pd.DataFrame) -> int | None:
    """The initiative views open on: the first one that has survey waves, else the first one."""
    if not waves.empty:
        return int(waves["initiative_id"].min())
    return None if initiatives.empty else int(initiatives["id"].iloc[0])


def team_stats(survey: pd.DataFrame, entered: pd.DataFrame) -> pd.DataFrame:
    """The stats behind every readiness view: survey stats per wave, team and respondent group, plus entries.

    Entered team-level results (one column per element, n) become rows with `is_champion` NaN
    (they belong to no respondent group), `aggregate_n` = their n and no sd (no significance test).
    """
    entered = entered.dropna(subset=list(ELEMENTS))
    entered = entered.assign(
        readiness=readiness_index(entered[list(ELEMENTS)].mean(axis=1)), readiness_sd=np.nan, aggregate_n=entered["n"]
    )
    return pd.concat([survey.assign(aggregate_n=0), entered], ignore_index=True)


GROUPS: dict[str, str] = {
    "all": "All respondents",
    "champions": "Champions",
    "others": "Everyone but champions",
}
"""Respondent groups a view can be filtered to; each group's figures are suppressed on their own."""


def figures(
    stats: pd.DataFrame, teams: pd.DataFrame, waves: pd.DataFrame, settings: dict[str, Any], group: str = "all"
) -> pd.DataFrame:
    """readiness_by_team from team_stats: rolled up, suppressed for the group, decorated."""
    if group not in GROUPS:
        raise ValueError(f"Unknown respondent group {group!r}; groups are: {', '.join(GROUPS)}.")
    minimum = int(settings["min_group_size"])
    if stats.empty:
        columns = ["wave_id", "team_id", "n", "direct_n", "aggregate_n", "headcount", *FIGURE_COLUMNS]
        empty = pd.DataFrame(columns=columns)
        return _decorate(empty.assign(suppressed=False, suppression="", barrier_point=None), teams, waves)
    everyone = _suppressed_view(stats, teams, minimum, forced=set())
    rolled = everyone if group == "all" else _group_view(stats, teams, minimum, group, _hidden_keys(everyone))
    rolled["ci_low"], rolled["ci_high"] = scoring.confidence_interval(
        rolled["readiness"], rolled["readiness_sd"], rolled["n"]
    )
    rolled["barrier_point"] = scoring.barrier_points(
        rolled, float(settings["barrier_threshold"]), scoring.PUBLISHED_DECIMALS
    )
    rolled["headcount"] = _rate_headcount(stats, teams, rolled)
    # A respondent group has no headcount of its own: its n over the team's people is no response rate.
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = rolled["n"] / rolled["headcount"].where(rolled["headcount"] > 0)
    rolled["response_rate"] = rate if group == "all" else np.nan
    hidden = rolled["suppressed"]
    rolled.loc[hidden, list(FIGURE_COLUMNS)] = np.nan
    rolled["barrier_point"] = rolled["barrier_point"].where(~hidden, None)
    return _decorate(rolled, teams, waves)


def _rate_headcount(stats: pd.DataFrame, teams: pd.DataFrame, rolled: pd.DataFrame) -> pd.Series:
    """The headcount each roll-up row's response rate divides by: its subtree's (hierarchy.subtree_headcount).

    NaN where a team of the subtree that has responses in the row's wave has no headcount: its
    people would be missing below the line while its responses count above it.
    """
    tree = Tree.of(teams)
    own = np.full(len(tree.ids), np.nan)
    own[tree.positions(teams["id"].to_numpy(int))] = teams["headcount"].to_numpy(float)
    counted = ~np.isnan(own)
    summed = tree.subtree_sum(np.where(counted, own, 0.0))
    headcount = np.where(tree.subtree_sum(counted.astype(int)) > 0, summed, np.nan)
    # per (team, wave): responses recorded against a team without a headcount, summed over each subtree
    waves = np.union1d(stats["wave_id"].to_numpy(int), rolled["wave_id"].to_numpy(int))
    responding = stats[stats["n"] > 0]
    nodes = tree.positions(responding["team_id"].to_numpy(int))
    uncounted = np.zeros((len(tree.ids), len(waves)), dtype=np.int64)
    np.add.at(uncounted, (nodes, np.searchsorted(waves, responding["wave_id"].to_numpy(int))), ~counted[nodes])
    blocked = tree.subtree_sum(uncounted) > 0
    rows = tree.positions(rolled["team_id"].to_numpy(int))
    wave_of = np.searchsorted(waves, rolled["wave_id"].to_numpy(int))
    return pd.Series(np.where(blocked[rows, wave_of], np.nan, headcount[rows]), index=rolled.index)


def n_caption(row: Any) -> str:
    """What stands under a readiness row's n: its index's 95% CI (or why there is none) and its response rate,
    each a sentence on a line of its own (markdown)."""
    rate = response_rate_text(row["response_rate"], row["headcount"])
    return ci_text(row).rstrip(".") + "." + (f"  \nResponse rate: {rate}." if rate else "")


def ci_text(row: Any) -> str:
    """The 95% CI of a readiness row's index in words, or why it has none (never "nan to nan")."""
    if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]):
        return f"95% CI of the index: {row['ci_low']:.1f} to {row['ci_high']:.1f}"
    entered = 0 if pd.isna(row["aggregate_n"]) else int(row["aggregate_n"])
    if entered and entered >= row["n"]:
        return "No confidence interval: team-level results only, with no respondent-level data."
    if entered:
        return "No confidence interval: part of n is team-level results, which carry no spread."
    if row["n"] >= 2 and row.get("readiness_sd") == 0:
        return (
            "No confidence interval: every respondent gave the same answers, too little spread to tell how sure it is."
        )
    return "No confidence interval: too few responses."


def _suppressed_view(stats: pd.DataFrame, teams: pd.DataFrame, minimum: int, forced: set) -> pd.DataFrame:
    """Roll `stats` up and suppress it; teams in `forced` ((wave_id, team_id) keys) are hidden whatever their n.

    Entered results are published cells (the entry grid shows them to editors): an editor can take
    any team's entered part off its figure, so survey respondents alone must leave no small remainder
    and a figure whose survey part is small is hidden however many were entered beside it. A viewer
    who never saw the grid must not get a small entry back either: all respondents are checked too.
    """
    rolled = scoring.roll_up(stats.drop(columns="is_champion"), teams, by=["wave_id"])
    rolled["survey_n"] = rolled["n"] - rolled["aggregate_n"]
    keys = pd.MultiIndex.from_frame(rolled[["wave_id", "team_id"]])
    rolled["force_hidden"] = keys.isin(forced)
    return scoring.suppress(rolled, teams, minimum, by=["wave_id"], counts=["survey_n", "n"]).drop(
        columns=["survey_n", "force_hidden"]
    )


def _hidden_keys(view: pd.DataFrame) -> set:
    hidden = view[view["suppressed"]]
    return set(zip(hidden["wave_id"], hidden["team_id"], strict=True))


def _group_view(stats: pd.DataFrame, teams: pd.DataFrame, minimum: int, group: str, forced: set) -> pd.DataFrame:
    """A respondent group's view, suppressed together with its complement and the view of everyone.

    A team's champions and the rest add up to its survey figure for everyone, so both group views
    show the same teams, only teams shown for everyone (`forced` holds those hidden there), and are
    suppressed as one: a remainder must hold nobody or at least the minimum in each group, and no
    hidden team's group figure may follow from the shown ones. A team that has nobody in one group
    shows its figure for everyone in the other, so it is public there and never hidden.
    """
    survey = stats[stats["aggregate_n"] == 0]
    champions = survey["is_champion"] == 1
    parts = {"champions": survey[champions], "others": survey[~champions]}
    # the group shown rolled up whole; of the other only its people are needed, counted up the tree
    rolled = {
        name: scoring.roll_up(part.drop(columns="is_champion") if name == group else part[["wave_id", "team_id", "n"]],
                              teams, by=["wave_id"])
        for name, part in parts.items()
    }  # fmt: skip
    key = ["wave_id", "team_id"]
    both = rolled["champions"][[*key, "n"]].merge(
        rolled["others"][[*key, "n"]], on=key, how="outer", suffixes=("_champions", "_others")
    )
    both[["n_champions", "n_others"]] = both[["n_champions", "n_others"]].fillna(0).astype(int)
    both["n"] = both["n_champions"] + both["n_others"]
    hidden = pd.MultiIndex.from_frame(both[key]).isin(forced)
    both["force_hidden"] = hidden
    # A team shown for everyone whose figure in one group is known (nobody in it, or nobody of its own and
    # every team below known) gives the other group's too: public, never hidden.
    counts = ["n_champions", "n_others"]
    both["public"] = scoring.follows_from_below(
        both, teams, counts, known=np.zeros(len(both), bool), allowed=~hidden, by=["wave_id"]
    )
    settled = scoring.suppress(both, teams, minimum, by=["wave_id"], counts=counts)
    # A hidden team whose figure in this group is the sum of shown ones below it is published already:
    # show it rather than call it hidden (it adds nothing a reader could not work out).
    settled["suppressed"] &= ~scoring.follows_from_below(
        settled,
        teams,
        [f"n_{group}"],
        known=~settled["suppressed"].to_numpy(bool),
        allowed=np.ones(len(settled), bool),
        by=["wave_id"],
    )
    view = rolled[group].merge(settled[[*key, "suppressed"]], on=key, how="left")
    view["suppressed"] = view["suppressed"].fillna(True).astype(bool)
    # Hidden for its own n, or to protect the other group or a neighbour.
    view["suppression"] = np.where(~view["suppressed"], "", np.where(view["n"] < minimum, "primary", "complementary"))
    return view


def _decorate(rolled: pd.DataFrame, teams: pd.DataFrame, waves: pd.DataFrame) -> pd.DataFrame:
    """Add team names, hierarchy and wave names; order by wave, then hierarchy (rows of teams or waves not
    given are left out). Columns are gathered by position rather than merged: the same result, cheaper."""
    tree = team_tree(teams)
    wave_info = waves[["id", "name", "opened_on"]].rename(columns={"id": "wave_id", "name": "wave"})
    at_team = pd.Index(tree["team_id"]).get_indexer(rolled["team_id"])
    at_wave = pd.Index(wave_info["wave_id"]).get_indexer(rolled["wave_id"])
    keep = (at_team >= 0) & (at_wave >= 0)
    result = rolled[keep].reset_index(drop=True)
    at_team, at_wave = at_team[keep], at_wave[keep]
    for column in tree.columns.drop("team_id"):
        result[column] = tree[column].to_numpy()[at_team]
    for column in ("wave", "opened_on"):
        result[column] = wave_info[column].to_numpy()[at_wave]
    points = result["barrier_point"].astype(object)
    result["barrier_point"] = points.where(points.notna(), None)
    opened = pd.factorize(result["opened_on"], sort=True)[0]
    return result.iloc[np.lexsort((result["order"].to_numpy(), opened))].reset_index(drop=True)


TEST_NOTES = {
    "exact": ", exact test: no spread in either wave",
    "pooled t": ", t-test with the spread of the wave that has one",
}
"""What a change's sentence adds where its p does not come from Welch's t-test."""


@dataclass(frozen=True)
class Change:
    """A change in readiness between two waves, called a change only where it is significant."""

    delta: float
    p_value: float
    significant: bool
    previous_wave: str
    test: str = "welch"

    def describe(self) -> str:
        """One sentence a CX lead can read aloud."""
        if np.isnan(self.p_value):
            return (
                f"No test possible against {self.previous_wave}: team-level results carry no respondent data "
                f"({self.delta:+.1f} points)."
            )
        note = TEST_NOTES.get(self.test, "")
        if not self.significant:
            return (
                f"No clear change since {self.previous_wave} ({self.delta:+.1f} points, p = {self.p_value:.2f}{note})."
            )
        direction = "Up" if self.delta > 0 else "Down"
        return f"{direction} {abs(self.delta):.1f} points since {self.previous_wave} (p {p_text(self.p_value)}{note})."


def change_between(frame: pd.DataFrame, team_id: int, wave_id: int, alpha: float = 0.05) -> Change | None:
    """The change in a team's readiness from the wave before `wave_id` (analysis.welch); None without one."""
    rows = frame[frame["team_id"] == team_id].sort_values("opened_on")
    position = np.flatnonzero(rows["wave_id"].to_numpy() == wave_id)
    if len(position) == 0 or position[0] == 0:
        return None
    now, before = rows.iloc[position[0]], rows.iloc[position[0] - 1]
    if now["suppressed"] or before["suppressed"]:
        return None
    result = analysis.welch(
        now["readiness"], now["readiness_sd"], now["n"], before["readiness"], before["readiness_sd"], before["n"]
    )
    p = float(result["p"])
    return Change(
        delta=float(now["readiness"] - before["readiness"]),
        p_value=p,
        significant=bool(p < alpha),
        previous_wave=str(before["wave"]),
        test=str(result["test"]),
    )


def wave_changes(frame: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every team's change in readiness from its wave before, for all waves at once, by the test
    change_between uses (analysis.welch): team_id, wave_id, opened_on, delta, p, significant and
    previous_wave; a team's first wave, or a change where either wave's figure is hidden, has none
    (delta and p NaN, not significant)."""
    columns = ["team_id", "wave_id", "opened_on", "readiness", "readiness_sd", "n", "suppressed", "wave"]
    rows = frame[columns].sort_values(["team_id", "opened_on"], kind="stable")
    before = rows.groupby("team_id", sort=False).shift(1)
    comparable = before["wave"].notna() & ~rows["suppressed"].astype(bool) & ~before["suppressed"].astype(bool)
    test = analysis.welch(
        rows["readiness"], rows["readiness_sd"], rows["n"], before["readiness"], before["readiness_sd"], before["n"]
    )
    delta = (rows["readiness"] - before["readiness"].astype(float)).where(comparable)
    p = pd.Series(test["p"], index=rows.index).where(comparable)
    return pd.DataFrame(
        {
            "team_id": rows["team_id"],
            "wave_id": rows["wave_id"],
            "opened_on": rows["opened_on"],
            "delta": delta,
            "p": p,
            "significant": (p < alpha).fillna(False).astype(bool),
            "previous_wave": before["wave"].where(comparable),
        }
    ).reset_index(drop=True)


FIRST_WAVE = "First wave: nothing to compare with yet."


def change_text(frame: pd.DataFrame, team_id: int, wave_id: int, min_n: int, alpha: float = 0.05) -> str:
    """The sentence under a team's index: its change (Change.describe), or why there is none.

    A team whose wave before was hidden is not on its first wave: it says the earlier figure was
    hidden, and why, rather than "nothing to compare with".
    """
    change = change_between(frame, team_id, wave_id, alpha)
    if change is not None:
        return change.describe()
    rows = frame[frame["team_id"] == team_id].sort_values("opened_on")
    position = np.flatnonzero(rows["wave_id"].to_numpy() == wave_id)
    if len(position) and position[0] > 0:
        before = rows.iloc[position[0] - 1]
        if before["suppressed"]:
            why = suppression_text(before["suppression"], min_n)
            return f"Not compared with {before['wave']}: this team's figure was hidden there ({why})."
    return FIRST_WAVE


def report_json(
    frame: pd.DataFrame, waves: pd.DataFrame, settings: dict[str, Any], wave_name: str | None = None
) -> dict:
    """The `readiness --json` document: one entry per team with responses recorded against it.

    `frame` is figures() of the waves' initiative. The latest wave is the latest by opening date, teams
    come in hierarchy order (parents before children, siblings by name); a hidden team gives no figure,
    not even its n. Raises LookupError where the wave does not exist or there is no wave at all.
    """
    if waves.empty:
        raise LookupError("There are no survey waves yet: import a survey or load the demo first.")
    if wave_name is None:
        wave = waves.sort_values(["opened_on", "id"], kind="stable").iloc[-1]
    else:
        match = waves[waves["name"] == wave_name]
        if match.empty:
            raise LookupError(f"There is no wave called {wave_name!r}; waves are: {', '.join(waves['name'])}.")
        wave = match.iloc[0]
    rows = frame[(frame["wave_id"] == wave["id"]) & (frame["direct_n"] > 0)].sort_values("order")
    parents = dict(zip(frame["team_id"], frame["team"], strict=True))
    return {
        "wave": str(wave["name"]),
        "min_group_size": int(settings["min_group_size"]),
        "teams": [
            {
                "team": row.team,
                "parent": parents.get(row.parent_id) if row.parent_id != ORGANISATION else None,
                "n": None if row.suppressed else int(row.n),
                "suppressed": bool(row.suppressed),
                **{element: _number(getattr(row, element)) for element in ELEMENTS},
                "readiness_index": _number(row.readiness),
                "barrier_point": row.barrier_point if isinstance(row.barrier_point, str) else None,
                "headcount": None if pd.isna(row.headcount) else int(row.headcount),
                "response_rate": _number(row.response_rate),
            }
            for row in rows.itertuples()
        ],
    }


def _number(value: float) -> float | None:
    """A published figure: rounded to 2 decimals, as every view shows it (more digits times n give sums away)."""
    return None if pd.isna(value) else round(float(value), 2)


def wave_teams(frame: pd.DataFrame, wave_id: int) -> pd.DataFrame:
    """The rows of one wave without the organisation's, in hierarchy order: the rows team_table lists."""
    return frame[(frame["wave_id"] == wave_id) & (frame["team_id"] != ORGANISATION)].sort_values("order")


def _shown_n(rows: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """The rows' n, blank where hidden: n of a hidden team would let a reader subtract it from its parent."""
    return rows["n"].astype("Int64").where(~rows["suppressed"].astype(bool)).array


def _rates(rows: pd.DataFrame) -> list[str]:
    """The rows' response rates as text ("30% of 40"); blank where unknown or hidden (figures blanks them)."""
    return [
        response_rate_text(rate, people) for rate, people in zip(rows["response_rate"], rows["headcount"], strict=True)
    ]


def rate_labels(rows: pd.DataFrame) -> list[str]:
    """The rows' response rates as a chart's tooltip gives them beside n: _rates, NO_RATE where there is none."""
    return [rate or NO_RATE for rate in _rates(rows)]


def rate_suffix(rows: pd.DataFrame) -> str:
    """What follows a figure's "n = 41" where one team's row (`rows`, one row or none) has a response rate:
    " · 68% of 60"; "" where it has none, or its figures are hidden."""
    if len(rows) != 1 or bool(rows["suppressed"].iloc[0]):
        return ""
    rate = _rates(rows)[0]
    return f" · {rate}" if rate else ""


def with_rates(points: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of team-waves (team_id, wave_id; e.g. outcomes.readiness_vs_outcomes) with each one's response rate
    from `frame` (figures) as a `rate` column for a chart's tooltip (rate_labels; NO_RATE where none)."""
    key = ["team_id", "wave_id"]
    joined = points[key].merge(frame[[*key, "response_rate", "headcount"]], on=key, how="left")
    return points.assign(rate=rate_labels(joined))


def team_table(frame: pd.DataFrame, wave_id: int, min_n: int) -> pd.DataFrame:
    """The teams of one wave as a table a person reads: index, n, barrier point and what helps.

    Hidden teams say why instead of showing figures. The organisation row is left out.
    """
    rows = wave_teams(frame, wave_id)
    return pd.DataFrame(
        {
            "Team": [
                name + (" (all)" if parent else "")
                for name, parent in zip(rows["team"], rows["has_children"], strict=True)
            ],
            "Responses (n)": _shown_n(rows),
            "Response rate": _rates(rows),
            "Readiness index": rows["readiness"].round(1).to_numpy(),
            "Barrier point": [
                suppression_text(kind, min_n) if hidden else ELEMENT_LABELS.get(point, "none") if point else "none"
                for hidden, kind, point in zip(
                    rows["suppressed"], rows["suppression"], rows["barrier_point"], strict=True
                )
            ],
            "Source": [
                "survey" if not entered else "team-level entry: no significance test possible"
                for entered in rows["aggregate_n"].fillna(0).gt(0)
            ],
            "What helps": [
                "" if hidden or not point else REMEDIES[point]
                for hidden, point in zip(rows["suppressed"], rows["barrier_point"], strict=True)
            ],
        }
    )


HIDDEN_COMMENTS = "No comments: this team's figures are hidden in this wave, and so is what its people wrote."


def comments_shown(found: dict[str, Any], minimum: int, hidden: bool = False) -> tuple[list[str], str]:
    """A team's comments (store.responses.comments) as shown, with a sentence saying what is shown.

    None where the team's figures are `hidden`: its page shows nothing of its people, not even a count.
    """
    if not found["teams"]:
        return [], f"Comments are shown for teams of at least {minimum} responses; this one has fewer."
    if hidden:
        return [], HIDDEN_COMMENTS
    left_out = " Teams with fewer responses are left out." if found["left_out"] else ""
    # No response count: a hidden team's n would let a reader subtract it from its parent's.
    return found["comments"], f"{len(found['comments'])} comments.{left_out}"


def in_group(rows: pd.DataFrame, group: str) -> pd.DataFrame:
    """The rows (with is_champion) of a respondent group."""
    if group == "champions":
        return rows[rows["is_champion"] == 1]
    if group == "others":
        return rows[rows["is_champion"] != 1]
    return rows


def rolled_counts(counts: pd.DataFrame, teams: pd.DataFrame, view_rows: pd.DataFrame, group: str) -> pd.DataFrame:
    """Counts per team (team_id, count, and any other key columns) summed over each team's subtree.

    Only teams shown in `view_rows` (one wave of readiness_by_team for the same group) are kept, so
    a distribution is never drawn for a group whose figures are hidden. Adds team, order, depth,
    has_children, n and rate (rate_labels) from the view.
    """
    keys = [column for column in counts.columns if column not in ("team_id", "is_champion", "count")]
    part = in_group(counts, group).drop(columns="is_champion")
    joined = subtree_members(teams).merge(part, on="team_id")
    summed = joined.groupby(["ancestor_id", *keys], as_index=False)["count"].sum()
    summed = summed.rename(columns={"ancestor_id": "team_id"})
    shown = view_rows.loc[~view_rows["suppressed"].astype(bool)]
    # Entered team-level results have no answers: n here counts the survey respondents only, and the team's
    # response rate (all its complete responses) would not be this n's: none is given beside it then.
    entered = shown["aggregate_n"].fillna(0).astype(int)
    survey_rate = shown["response_rate"].where(entered == 0)
    shown = shown.assign(n=shown["n"] - entered, rate=rate_labels(shown.assign(response_rate=survey_rate)))
    return summed.merge(shown[["team_id", "team", "order", "depth", "has_children", "n", "rate"]], on="team_id")


def likert_shares(counts: pd.DataFrame, teams: pd.DataFrame, view_rows: pd.DataFrame, group: str) -> pd.DataFrame:
    """Share of answers at each scale point, per shown team and ADKAR element (answer_counts rolled up)."""
    rolled = rolled_counts(counts, teams, view_rows, group)
    rolled["share"] = rolled["count"] / rolled.groupby(["team_id", "element"])["count"].transform("sum")
    return rolled.sort_values(["order", "element", "value"]).reset_index(drop=True)


def barrier_shares(counts: pd.DataFrame, teams: pd.DataFrame, view_rows: pd.DataFrame, group: str) -> pd.DataFrame:
    """Share of each shown team's respondents stuck at each element (or "none"; barrier_counts rolled up)."""
    rolled = rolled_counts(counts, teams, view_rows, group)
    rolled["share"] = rolled["count"] / rolled.groupby("team_id")["count"].transform("sum")
    order = {name: position for position, name in enumerate((*ELEMENTS, scoring.NO_BARRIER))}
    rolled["position"] = rolled["barrier_point"].map(order)
    return rolled.sort_values(["order", "position"]).reset_index(drop=True)


MEASURES: dict[str, str] = {"readiness": "Readiness index (0–100)"} | {
    element: f"{ELEMENT_LABELS[element]} (1–5)" for element in ELEMENTS
}


def trend_rows(frame: pd.DataFrame, measure: str = "readiness") -> pd.DataFrame:
    """One measure of the shown rows over waves: team, wave, value, its 95% CI and n.

    The CI comes from respondent data; entered team-level results have none.
    """
    shown = frame[~frame["suppressed"].astype(bool)]
    low, high = scoring.confidence_interval(shown[measure], shown[f"{measure}_sd"], shown["n"])
    return pd.DataFrame(
        {
            "team_id": shown["team_id"],
            "team": shown["team"],
            "team_name": shown["team"],
            "wave": shown["wave"],
            "opened_on": shown["opened_on"],
            "value": shown[measure],
            "ci_low": low,
            "ci_high": high,
            "n": shown["n"],
            "rate": rate_labels(shown),
        }
    ).reset_index(drop=True)


def trend_lines(frame: pd.DataFrame, root: int, measure: str = "readiness") -> pd.DataFrame:
    """trend_rows of a team and the teams directly below it: the lines a trend chart draws for `root`."""
    children = frame["parent_id"].eq(root) if root != ORGANISATION else frame["depth"].eq(1)
    rows = frame[frame["team_id"].eq(root) | children]
    lines = trend_rows(rows, measure)
    if root != ORGANISATION:  # "All teams" says so already
        lines.loc[lines["team_id"] == root, "team"] += " (all)" if rows["has_children"].any() else ""
    return lines


def element_trend_rows(frame: pd.DataFrame, team_id: int) -> pd.DataFrame:
    """trend_rows of one team for each ADKAR element, with an `element` column (for small multiples)."""
    rows = frame[frame["team_id"] == team_id]
    return pd.concat([trend_rows(rows, element).assign(element=element) for element in ELEMENTS], ignore_index=True)


def _point_text(row: Any, min_n: int) -> str:
    if row.suppressed:
        return suppression_text(row.suppression, min_n)
    return ELEMENT_LABELS[row.barrier_point] if isinstance(row.barrier_point, str) else "none"


def barrier_history(frame: pd.DataFrame, team_id: int, min_n: int) -> pd.DataFrame:
    """A team's barrier point, index and n wave by wave (hidden waves say why, with no figures)."""
    rows = frame[frame["team_id"] == team_id].sort_values("opened_on")
    return pd.DataFrame(
        {
            "Wave": rows["wave"].to_numpy(),
            "Barrier point": [_point_text(row, min_n) for row in rows.itertuples()],
            "Readiness index": rows["readiness"].round(1).to_numpy(),
            "Responses (n)": _shown_n(rows),
            "Response rate": _rates(rows),
        }
    )


def roll_up_path(wave_rows: pd.DataFrame, team_id: int, min_n: int) -> pd.DataFrame:
    """A team and every team above it up to the organisation, in one wave: index, n and barrier point."""
    by_id = wave_rows.set_index("team_id")
    path, node = [], team_id
    while node is not None and node in by_id.index:
        path.append(node)
        parent = by_id.loc[node, "parent_id"]
        node = None if node == ORGANISATION or pd.isna(parent) else int(parent)
    rows = by_id.loc[path].reset_index()
    return pd.DataFrame(
        {
            "Team": [
                name + (" (all)" if children and team != ORGANISATION else "")
                for name, children, team in zip(rows["team"], rows["has_children"], rows["team_id"], strict=True)
            ],
            "Readiness index": rows["readiness"].round(1).to_numpy(),
            "Responses (n)": _shown_n(rows),
            "Response rate": _rates(rows),
            "Barrier point": [_point_text(row, min_n) for row in rows.itertuples()],
        }
    )


def champion_table(champions: pd.DataFrame) -> pd.DataFrame:
    """store.champions.team_champions as a person reads it: who, where, since when, how active lately."""
    return pd.DataFrame(
        {
            "Champion": champions["alias"],
            "Team": champions["team"],
            "Active": ["until " + end if isinstance(end, str) else "yes" for end in champions["ended_on"]],
            "Last activity": champions["last_activity"].fillna("none yet"),
            "Sessions": champions["activities"],
            "People reached": champions["people_reached"],
        }
    )


def action_table(actions: pd.DataFrame) -> pd.DataFrame:
    """store.actions.open_actions as a person reads it, with the ADKAR element named."""
    return pd.DataFrame(
        {
            "Action": actions["title"],
            "Owner": actions["owner"],
            "Team": actions["team"],
            "Targets": [
                ELEMENT_LABELS.get(element, "")
                if isinstance(element, str)
                else f"Kotter step {step:.0f}"
                if pd.notna(step)
                else ""
                for element, step in zip(actions["element"], actions["kotter_step"], strict=True)
            ],
            "Due": actions["due_on"],
            "Status": actions["status"],
        }
    )
