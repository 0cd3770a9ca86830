"""Readiness figures as every view shows them: rolled up the hierarchy, suppressed, with n and CIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlite_utils import Database

from cxchange import db as store
from cxchange import scoring
from cxchange.model import ELEMENT_LABELS, ELEMENTS, OUTCOME, REMEDIES, readiness_index

ORGANISATION_LABEL = "All teams"
FIGURE_COLUMNS: tuple[str, ...] = (*ELEMENTS, OUTCOME, "readiness", "readiness_sd", "ci_low", "ci_high")


def suppression_text(suppression: str, min_n: int) -> str:
    """What a hidden figure says instead of a number ("hidden": withheld so a smaller group stays hidden)."""
    if suppression == "primary":
        return f"fewer than {min_n}"
    if suppression == "complementary":
        return "hidden"
    return ""


def default_initiative(db: Database) -> int | None:
    """The initiative views open on: the first one that has survey waves, else the first one."""
    waves = store.waves(db)
    if not waves.empty:
        return int(waves["initiative_id"].min())
    initiatives = store.initiatives(db)
    return None if initiatives.empty else int(initiatives["id"].iloc[0])


def team_tree(teams: pd.DataFrame) -> pd.DataFrame:
    """Teams in hierarchy order (parents before their children, siblings by name), with depth.

    The organisation comes first as team_id 0 with depth 0; top-level teams have depth 1.
    """
    children: dict[int, list[tuple[str, int]]] = {}
    for team_id, name, parent_id in zip(teams["id"], teams["name"], teams["parent_id"], strict=True):
        parent = scoring.ORGANISATION if pd.isna(parent_id) else int(parent_id)
        children.setdefault(parent, []).append((name, int(team_id)))
    rows = [{"team_id": scoring.ORGANISATION, "team": ORGANISATION_LABEL, "parent_id": None, "depth": 0}]

    def visit(parent: int, depth: int) -> None:
        for name, team_id in sorted(children.get(parent, [])):
            rows.append({"team_id": team_id, "team": name, "parent_id": parent, "depth": depth})
            visit(team_id, depth + 1)

    visit(scoring.ORGANISATION, 1)
    tree = pd.DataFrame(rows)
    tree["order"] = range(len(tree))
    tree["has_children"] = tree["team_id"].isin(tree["parent_id"].dropna().astype(int))
    return tree


def readiness_by_team(db: Database, settings: dict[str, Any], initiative_id: int | None = None) -> pd.DataFrame:
    """Every team's (and the organisation's) readiness per wave, ready to show.

    Rows exist where the team's subtree has complete responses in the wave. Figures of suppressed
    rows are blanked here, so no view or export can show them by mistake. Columns: wave_id, wave,
    opened_on, team_id, team, parent_id, depth, order, has_children, n, direct_n, the element means,
    outcome, readiness (0–100), readiness_sd, ci_low/ci_high (95% CI of readiness), suppressed,
    suppression, barrier_point.
    """
    teams = store.teams(db)
    waves = store.waves(db, initiative_id)
    stats = pd.concat(
        [store.team_wave_stats(db, initiative_id).assign(aggregate_n=0), _entered(db, initiative_id)],
        ignore_index=True,
    )
    if stats.empty:
        empty = pd.DataFrame(columns=["wave_id", "team_id", "n", "direct_n", "aggregate_n", *FIGURE_COLUMNS])
        return _decorate(empty.assign(suppressed=False, suppression="", barrier_point=None), teams, waves)
    rolled = scoring.roll_up(stats, teams, by=["wave_id"])
    minimum = int(settings["min_group_size"])
    # Entered means are on show in the entry grid: a team's entered part is known to any reader.
    survey = stats[stats["aggregate_n"] == 0].set_index(["wave_id", "team_id"])["n"]
    entered = stats[stats["aggregate_n"] > 0].set_index(["wave_id", "team_id"])["n"]
    keys = pd.MultiIndex.from_frame(rolled[["wave_id", "team_id"]])
    survey_n = survey.reindex(keys).fillna(0).to_numpy()
    has_entry = entered.reindex(keys).notna().to_numpy()
    rolled["known"] = has_entry & (survey_n == 0)  # entered only: its figure is public anyway
    rolled["force_hidden"] = has_entry & (survey_n > 0) & (survey_n < minimum)  # entry minus total = the few
    rolled = scoring.suppress(rolled, teams, minimum, by=["wave_id"])
    rolled["ci_low"], rolled["ci_high"] = scoring.confidence_interval(
        rolled["readiness"], rolled["readiness_sd"], rolled["n"]
    )
    rolled["barrier_point"] = scoring.barrier_points(rolled, float(settings["barrier_threshold"]))
    hidden = rolled["suppressed"]
    rolled.loc[hidden, list(FIGURE_COLUMNS)] = np.nan
    rolled["barrier_point"] = rolled["barrier_point"].where(~hidden, None)
    return _decorate(rolled, teams, waves)


def _entered(db: Database, initiative_id: int | None) -> pd.DataFrame:
    """Team-level entries as stats rows: their n counts, their sd is unknown (no significance test)."""
    entered = store.team_result_stats(db, initiative_id)
    entered = entered.dropna(subset=list(ELEMENTS))
    entered["readiness"] = readiness_index(entered[list(ELEMENTS)].mean(axis=1))
    entered["readiness_sd"] = np.nan
    entered["aggregate_n"] = entered["n"]
    return entered


def _decorate(rolled: pd.DataFrame, teams: pd.DataFrame, waves: pd.DataFrame) -> pd.DataFrame:
    """Add team names, hierarchy and wave names; order by wave, then hierarchy."""
    tree = team_tree(teams)
    wave_info = waves[["id", "name", "opened_on"]].rename(columns={"id": "wave_id", "name": "wave"})
    result = rolled.merge(tree, on="team_id").merge(wave_info, on="wave_id")
    points = result["barrier_point"].astype(object)
    result["barrier_point"] = points.where(points.notna(), None)
    return result.sort_values(["opened_on", "order"]).reset_index(drop=True)


@dataclass(frozen=True)
class Change:
    """A change in readiness between two waves, called a change only where it is significant."""

    delta: float
    p_value: float
    significant: bool
    previous_wave: str

    def describe(self) -> str:
        """One sentence a CX lead can read aloud."""
        if np.isnan(self.p_value):
            return (
                f"No test possible against {self.previous_wave}: team-level results carry no respondent data "
                f"({self.delta:+.1f} points)."
            )
        if not self.significant:
            return f"No clear change since {self.previous_wave} ({self.delta:+.1f} points, p = {self.p_value:.2f})."
        direction = "Up" if self.delta > 0 else "Down"
        return f"{direction} {abs(self.delta):.1f} points since {self.previous_wave} (p {_p_text(self.p_value)})."


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def change_between(frame: pd.DataFrame, team_id: int, wave_id: int, alpha: float = 0.05) -> Change | None:
    """The change in a team's readiness from the wave before `wave_id`, Welch-tested; None without one."""
    rows = frame[frame["team_id"] == team_id].sort_values("opened_on")
    position = np.flatnonzero(rows["wave_id"].to_numpy() == wave_id)
    if len(position) == 0 or position[0] == 0:
        return None
    now, before = rows.iloc[position[0]], rows.iloc[position[0] - 1]
    if now["suppressed"] or before["suppressed"]:
        return None
    p = scoring.welch(
        now["readiness"], now["readiness_sd"], now["n"], before["readiness"], before["readiness_sd"], before["n"]
    )
    return Change(
        delta=float(now["readiness"] - before["readiness"]),
        p_value=p,
        significant=bool(p < alpha),
        previous_wave=str(before["wave"]),
    )


def readiness_report(db: Database, wave_name: str | None = None, initiative_id: int | None = None) -> dict:
    """The `readiness --json` document: one entry per team with responses recorded against it.

    Raises LookupError where the wave does not exist or there is no wave at all.
    """
    settings = store.settings(db)
    initiative_id = initiative_id if initiative_id is not None else default_initiative(db)
    waves = store.waves(db, initiative_id)
    if waves.empty:
        raise LookupError("There are no survey waves yet: import a survey or load the demo first.")
    if wave_name is None:
        wave = waves.iloc[-1]
    else:
        match = waves[waves["name"] == wave_name]
        if match.empty:
            raise LookupError(f"There is no wave called {wave_name!r}; waves are: {', '.join(waves['name'])}.")
        wave = match.iloc[0]
    frame = readiness_by_team(db, settings, initiative_id)
    rows = frame[(frame["wave_id"] == wave["id"]) & (frame["direct_n"] > 0)].sort_values("team")
    return {
        "wave": str(wave["name"]),
        "min_group_size": int(settings["min_group_size"]),
        "teams": [
            {
                "team": row.team,
                "n": int(row.n),
                "suppressed": bool(row.suppressed),
                **{element: _number(getattr(row, element)) for element in ELEMENTS},
                "readiness_index": _number(row.readiness),
                "barrier_point": row.barrier_point if isinstance(row.barrier_point, str) else None,
            }
            for row in rows.itertuples()
        ],
    }


def _number(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)


def team_table(frame: pd.DataFrame, wave_id: int, min_n: int) -> pd.DataFrame:
    """The teams of one wave as a table a person reads: index, n, barrier point and what helps.

    Hidden teams say why instead of showing figures. The organisation row is left out.
    """
    rows = frame[(frame["wave_id"] == wave_id) & (frame["team_id"] != scoring.ORGANISATION)].sort_values("order")
    return pd.DataFrame(
        {
            "Team": [
                name + (" (all)" if parent else "")
                for name, parent in zip(rows["team"], rows["has_children"], strict=True)
            ],
            # n of a hidden team would let a reader subtract it from its parent
            "Responses (n)": rows["n"].astype("Int64").where(~rows["suppressed"].astype(bool)).to_numpy(),
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


def team_comments(db: Database, settings: dict[str, Any], wave_id: int, team_id: int) -> tuple[list[str], str]:
    """A team's free-text comments of a wave (its subtree's), and a sentence saying what is shown.

    Comments come only from teams that have at least the comment minimum of responses themselves,
    so neither a small team nor the difference between a parent and its children can be read.
    """
    minimum = int(settings["min_comment_group_size"])
    members = scoring.subtree_members(store.teams(db))
    ids = members.loc[members["ancestor_id"] == team_id, "team_id"].tolist()
    found = store.comments(db, wave_id, ids, minimum)
    if not found["teams"]:
        return [], f"Comments are shown for teams of at least {minimum} responses; this one has fewer."
    left_out = " Teams with fewer responses are left out." if found["left_out"] else ""
    return found["comments"], f"{len(found['comments'])} comments from {found['n']} responses.{left_out}"
