"""The champion network: roster and activity rules, coverage by team, and the champion effect on readiness.

Pure functions over plain data (DataFrames, mappings, dates): no database, no Streamlit. Time enters
only as a `today` argument, so every answer is the same on every day it is tested.

A champion is active on a day from their start date up to, not including, their end date (the
day they stepped down); their activities may fall on any day from the start to the end date.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cxchange import analysis, scoring
from cxchange.hierarchy import ORGANISATION, subtree_headcount, subtree_members, team_tree
from cxchange.settings import DEFAULTS
from cxchange.text import agree, blank, name_key, plural

ACTIVITY_KINDS: tuple[str, ...] = ("huddle", "workshop", "feedback session", "recognition", "escalation")
"""What a champion logs after a session (the champion_activities table accepts these only)."""


def status_labels(quiet_days: int = DEFAULTS["champion_quiet_days"]) -> dict[str, str]:
    """A team's coverage status ("active", "quiet", "none") as a legend names it."""
    return {"active": "Active", "quiet": f"Quiet (no activity in {quiet_days} days)", "none": "No active champion"}


FIELD_LABELS: dict[str, str] = {
    "alias": "Name or alias",
    "team": "Team",
    "started_on": "Start",
    "ended_on": "End",
}
"""How a roster field is named in messages about a form or the roster grid."""

MAX_ALIAS = 80
MAX_NOTE = 500


# Dates ----------------------------------------------------------------------------------------


def as_date(value: object) -> date | None:
    """A date from a date, a datetime, a Timestamp or an ISO text (YYYY-MM-DD, a time after it allowed).

    Returns None for an empty value; raises ValueError where the value is no such date.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    head = text.split("T")[0].split(" ")[0]
    try:
        if len(head) != 10:
            raise ValueError
        return date.fromisoformat(head)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD (e.g. 2026-03-31)") from None


def active_mask(champions: pd.DataFrame, day: date) -> pd.Series:
    """Which rows of a roster (started_on, ended_on as ISO text) are in post on `day` (active or quiet)."""
    text = day.isoformat()
    started = champions["started_on"].astype(object)
    ended = champions["ended_on"].astype(object)
    # ISO dates compare as text; a missing end is never reached.
    return (started.astype(str) <= text) & (ended.isna() | (ended.where(ended.notna(), "").astype(str) > text))


# Roster and activity checks --------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a roster entry: the field (FIELD_LABELS' key) and why, naming the value."""

    field: str
    message: str


CHAMPION_STATES = ("active", "quiet", "not in post")
"""A champion on a day: in post with a session logged within the quiet days, in post without one, or neither."""


def champion_states(
    champions: pd.DataFrame, activities: pd.DataFrame, day: date, quiet_days: int = DEFAULTS["champion_quiet_days"]
) -> pd.Series:
    """The one definition of an active champion, used by every page: each roster row's state on `day`.

    "active": in post (active_mask) with a session logged in the `quiet_days` days up to `day`;
    "quiet": in post, with none in that time; "not in post" otherwise. `champions` has id,
    started_on, ended_on; `activities` champion_id, happened_on. Returns a Series on the roster's index.
    """
    in_post = active_mask(champions, day) if len(champions) else pd.Series(False, index=champions.index)
    since = (day - timedelta(days=int(quiet_days))).isoformat()
    happened = activities["happened_on"].astype(str)
    recent = activities.loc[(happened >= since) & (happened <= day.isoformat()), "champion_id"]
    lively = champions["id"].isin(set(recent)) if len(champions) else in_post
    states = np.where(in_post & lively, "active", np.where(in_post, "quiet", "not in post"))
    return pd.Series(states, index=champions.index, dtype=object)


def check_champion(
    alias: object, team: object, started_on: object, ended_on: object, teams: Mapping[str, int]
) -> tuple[dict | None, list[Problem]]:
    """Check one roster entry; returns the row to store (alias, team_id, started_on, ended_on) or the problems.

    `team` is a team's name (matched ignoring case and repeated spaces) or id; `teams` maps the
    workspace's team names to ids. Dates become ISO text; an empty end date is None.
    """
    problems = []
    name = " ".join(str(alias).split()) if alias is not None and not blank(alias) else ""
    if not name:
        problems.append(Problem("alias", "(empty): every champion needs a name or an alias."))
    elif len(name) > MAX_ALIAS:
        problems.append(Problem("alias", f"{name[:20]!r}… is longer than {MAX_ALIAS} characters."))
    team_id = find_team(team, teams)
    if team_id is None:
        shown = "(empty)" if blank(team) else repr(str(team).strip()) if isinstance(team, str) else f"id {team}"
        problems.append(Problem("team", f"{shown} is not a team of this workspace."))
    start = _date_field("started_on", started_on, problems)
    if start is None and not any(p.field == "started_on" for p in problems):
        problems.append(Problem("started_on", "(empty): every champion needs a start date."))
    end = _date_field("ended_on", ended_on, problems)
    if start is not None and end is not None and end < start:
        problems.append(Problem("ended_on", f"{end.isoformat()} is before the start, {start.isoformat()}."))
    if problems:
        return None, problems
    return {
        "alias": name,
        "team_id": team_id,
        "started_on": start.isoformat(),
        "ended_on": end.isoformat() if end else None,
    }, []


def _date_field(field: str, value: object, problems: list[Problem]) -> date | None:
    try:
        return as_date(value)
    except ValueError as problem:
        problems.append(Problem(field, str(problem) + "."))
        return None


def find_team(team: object, teams: Mapping[str, int]) -> int | None:
    """The id of a team given by name (ignoring case and repeated spaces) or by id; None where unknown."""
    if blank(team):
        return None
    if isinstance(team, int | np.integer) and not isinstance(team, bool):
        return int(team) if int(team) in {int(i) for i in teams.values()} else None
    wanted = name_key(team)
    return next((int(team_id) for name, team_id in teams.items() if name_key(name) == wanted), None)


def roster_key(alias: object, team_id: int, started_on: str) -> tuple[str, int, str]:
    """What makes two roster entries the same champion: alias (as name_key), team and start date."""
    return name_key(alias), int(team_id), str(started_on)


def describe_problems(problems: list[Problem], who: str = "") -> str:
    """Problems of one entry as a sentence naming each field: "Priya S.: Team: 'X' is not a team …"."""
    lead = f"{who}: " if who else ""
    return lead + " ".join(f"{FIELD_LABELS.get(p.field, p.field)}: {p.message}" for p in problems)


def check_activity(
    champion: Mapping[str, object],
    kind: object,
    happened_on: object,
    people_reached: object,
    note: object,
    today: date,
) -> dict:
    """Check one logged session of `champion` (alias, started_on, ended_on); returns the row's values.

    Raises ValueError naming every field that is wrong: an unknown kind, a date that is no date, in
    the future, or outside the champion's time as champion, people reached that is no whole number
    of 0 or more, a note too long.
    """
    problems = []
    who = str(champion.get("alias", "The champion"))
    if kind not in ACTIVITY_KINDS:
        problems.append(f"Kind: {kind!r} is not one of {', '.join(ACTIVITY_KINDS)}.")
    day = None
    try:
        day = as_date(happened_on)
        if day is None:
            problems.append("Date: (empty): say when the session was.")
    except ValueError as problem:
        problems.append(f"Date: {problem}.")
    if day is not None:
        start, end = as_date(champion.get("started_on")), as_date(champion.get("ended_on"))
        if day > today:
            problems.append(f"Date: {day.isoformat()} is after today ({today.isoformat()}).")
        elif start is not None and day < start:
            problems.append(f"Date: {day.isoformat()} is before {who} became a champion ({start.isoformat()}).")
        elif end is not None and day > end:
            problems.append(f"Date: {day.isoformat()} is after {who} stepped down ({end.isoformat()}).")
    reached = _whole_number(people_reached)
    if blank(people_reached):
        problems.append("People reached: (empty): say how many people took part (0 if none).")
    elif reached is None or reached < 0:
        problems.append(f"People reached: {people_reached!r} is not a whole number of 0 or more.")
    text = None if blank(note) else str(note).strip()
    if text is not None and len(text) > MAX_NOTE:
        problems.append(f"Note: it is {len(text)} characters long; keep it under {MAX_NOTE}.")
    if problems:
        raise ValueError(" ".join(problems))
    return {"happened_on": day.isoformat(), "kind": kind, "people_reached": reached, "note": text}


def check_activities_within(alias: str, started_on: str, ended_on: str | None, activity_days: list[str]) -> str | None:
    """Why new roster dates would leave logged activities outside the champion's time, or None where they fit."""
    if not activity_days:
        return None
    first, last = min(activity_days), max(activity_days)
    if first < started_on:
        return f"{alias} logged a session on {first}, before the new start {started_on}: start on or before it."
    if ended_on is not None and last > ended_on:
        return f"{alias} logged a session on {last}, after the new end {ended_on}: end on or after it."
    return None


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool) or blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


# Coverage ------------------------------------------------------------------------------------


def coverage(
    teams: pd.DataFrame,
    champions: pd.DataFrame,
    activities: pd.DataFrame,
    today: date,
    ratio: float,
    quiet_days: int = DEFAULTS["champion_quiet_days"],
) -> pd.DataFrame:
    """Champion coverage per team on `today`, every team and the organisation (team_id 0), in hierarchy order.

    Parameters: `teams` has id, name, parent_id, headcount; `champions` id, team_id, started_on,
    ended_on; `activities` champion_id, happened_on; `ratio` is the target people per champion.
    A team with teams below it rolls up its whole subtree (`rolled_up`, `teams_covered`): headcount
    summed over the teams that have one, champions and activity of every team in it.
    Returns team_id, team, parent_id, depth, order, has_children, rolled_up, teams_covered,
    headcount (NaN where no team in it has one), headcount_missing (teams without children and
    without a headcount), champions (active on `today`), needed (to meet the ratio), people_per_champion,
    target_met (True/False, NA without a headcount), last_activity (ISO, by active champions, up to
    `today`), days_since, status ("active", "quiet": none in more than `quiet_days` days, "none": no
    active champion), leaf_teams (teams without children in it, itself where it has none),
    teams_without (those without an active champion) and teams_quiet (those whose champions are quiet).
    """
    tree = team_tree(teams)
    members = subtree_members(teams)
    active = champions[active_mask(champions, today)] if len(champions) else champions
    active_by_team = active.groupby("team_id").size() if len(active) else pd.Series(dtype=int)
    logged = activities[
        activities["champion_id"].isin(active["id"]) & (activities["happened_on"].astype(str) <= today.isoformat())
    ]
    team_of = dict(zip(active["id"], active["team_id"], strict=True)) if len(active) else {}
    last_by_team = (
        logged.assign(team_id=logged["champion_id"].map(team_of)).groupby("team_id")["happened_on"].max()
        if len(logged)
        else pd.Series(dtype=object)
    )
    own = teams.set_index("id")
    leaf_ids = set(tree.loc[~tree["has_children"] & (tree["team_id"] != ORGANISATION), "team_id"])
    per_team = pd.DataFrame({"team_id": own.index.astype(int)})
    per_team["headcount"] = own["headcount"].astype(float).to_numpy()
    per_team["champions"] = per_team["team_id"].map(active_by_team).fillna(0).astype(int)
    per_team["last_activity"] = per_team["team_id"].map(last_by_team)
    per_team["leaf"] = per_team["team_id"].isin(leaf_ids)
    states = champion_states(champions, activities, today, quiet_days) if len(champions) else pd.Series(dtype=object)
    lively = set(champions.loc[states == "active", "team_id"].astype(int)) if len(champions) else set()
    per_team["status"] = np.where(
        per_team["team_id"].isin(lively), "active", np.where(per_team["champions"] > 0, "quiet", "none")
    )
    joined = members.merge(per_team, on="team_id")
    sizes = subtree_headcount(teams).set_index("team_id")
    rows = []
    for ancestor, part in joined.groupby("ancestor_id"):
        leaves = part[part["leaf"]]
        last = part["last_activity"].dropna()
        count = int(part["champions"].sum())
        rows.append(
            {
                "team_id": int(ancestor),
                "teams_covered": int((part["team_id"] != ancestor).sum()),
                "headcount": float(sizes.loc[ancestor, "headcount"]),
                "headcount_missing": len(sizes.loc[ancestor, "without_headcount"] & leaf_ids),
                "leaf_teams": len(leaves),
                "champions": count,
                "last_activity": str(last.max()) if len(last) else None,
                "teams_without": int((leaves["status"] == "none").sum()),
                "teams_quiet": int((leaves["status"] == "quiet").sum()),
            }
        )
    counts = ["teams_covered", "headcount_missing", "leaf_teams", "teams_without", "teams_quiet"]
    summed = pd.DataFrame(rows, columns=["team_id", "headcount", "champions", "last_activity", *counts])
    result = tree.merge(summed, on="team_id", how="left")
    result["rolled_up"] = result["has_children"] | (result["team_id"] == ORGANISATION)
    result["champions"] = result["champions"].fillna(0).astype(int)
    headcount = result["headcount"].astype(float)
    result["needed"] = [
        math.ceil(h / ratio) if h == h else pd.NA
        for h in headcount  # NaN != NaN: no headcount, no target
    ]
    result["needed"] = result["needed"].astype("Int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        result["people_per_champion"] = np.where(result["champions"] > 0, headcount / result["champions"], np.nan)
    result["target_met"] = pd.array(
        [pd.NA if h != h else bool(c * ratio >= h) for h, c in zip(headcount, result["champions"], strict=True)],
        dtype="boolean",
    )
    result["days_since"] = pd.array(
        [
            pd.NA if last is None or last != last else (today - date.fromisoformat(last)).days
            for last in result["last_activity"]
        ],
        dtype="Int64",
    )
    result["status"] = [
        _status(count, last, today, quiet_days)
        for count, last in zip(result["champions"], result["last_activity"], strict=True)
    ]
    columns = [
        "team_id", "team", "parent_id", "depth", "order", "has_children", "rolled_up", "teams_covered",
        "headcount", "headcount_missing", "champions", "needed", "people_per_champion", "target_met",
        "last_activity", "days_since", "status", "leaf_teams", "teams_without", "teams_quiet",
    ]  # fmt: skip
    result[counts] = result[counts].fillna(0).astype(int)
    result["last_activity"] = result["last_activity"].astype(object).where(result["last_activity"].notna(), None)
    return result[columns].sort_values("order").reset_index(drop=True)


def _status(champions: int, last_activity: object, today: date, quiet_days: int) -> str:
    if champions == 0:
        return "none"
    if last_activity is None or last_activity != last_activity:
        return "quiet"
    return "quiet" if (today - date.fromisoformat(str(last_activity))).days > quiet_days else "active"


def coverage_table(rows: pd.DataFrame, ratio: float, quiet_days: int = DEFAULTS["champion_quiet_days"]) -> pd.DataFrame:
    """coverage() as a person reads it: parents marked "(all)" with the teams they cover, gaps in words."""
    labels = status_labels(quiet_days)
    return pd.DataFrame(
        {
            "Team": [
                name + (f" (all, {covered} teams)" if rolled else "")
                for name, rolled, covered in zip(rows["team"], rows["rolled_up"], rows["teams_covered"], strict=True)
            ],
            "Headcount": rows["headcount"].astype("Int64").array,
            "Active champions": rows["champions"].to_numpy(),
            "People per champion": [_whole_text(value) for value in rows["people_per_champion"]],
            f"Target 1 per {ratio:g}": [_target_text(row) for row in rows.itertuples()],
            "Status": [labels[status] for status in rows["status"]],
            "Last activity": rows["last_activity"].fillna("none").to_numpy(),
            "Days since": [_whole_text(value) for value in rows["days_since"]],
            "Teams without a champion": [
                f"{without} of {covered}" if rolled else ""
                for without, covered, rolled in zip(
                    rows["teams_without"], rows["leaf_teams"], rows["rolled_up"], strict=True
                )
            ],
        }
    )


def _whole_text(value: object) -> str:
    return "–" if pd.isna(value) else f"{float(value):,.0f}"


def _target_text(row: object) -> str:
    missing = f" ({row.headcount_missing} without headcount)" if row.headcount_missing and row.rolled_up else ""
    if pd.isna(row.target_met):
        return "no headcount"
    if row.target_met:
        return "met" + missing
    gap = int(row.needed) - int(row.champions)
    return f"{gap} more needed" + missing


def describe_coverage_change(before: pd.DataFrame, after: pd.DataFrame, team_id: int) -> str:
    """What a write did to one team's coverage, in a sentence: its status and last activity, before and after."""
    old = before.set_index("team_id").loc[team_id] if team_id in set(before["team_id"]) else None
    new = after.set_index("team_id").loc[team_id]
    name = new["team"]
    last = f"last activity {new['last_activity']}" if new["last_activity"] else "no activity yet"
    labels = status_labels()  # only the status' name is said, not its days
    now = labels[new["status"]].lower()
    if old is None or old["status"] == new["status"]:
        return f"{name} stays {now.split(' (')[0]}: {last}."
    was = labels[old["status"]].lower().split(" (")[0]
    return f"{name} is now {now.split(' (')[0]} (was {was}): {last}."


def coverage_summary(rows: pd.DataFrame) -> dict[str, object]:
    """The organisation's headline: active champions, people per champion, target, teams without or quiet."""
    org = rows[rows["team_id"] == ORGANISATION].iloc[0]
    leaves = rows[~rows["rolled_up"]]
    return {
        "champions": int(org["champions"]),
        "people_per_champion": float(org["people_per_champion"]),
        "needed": None if pd.isna(org["needed"]) else int(org["needed"]),
        "target_met": None if pd.isna(org["target_met"]) else bool(org["target_met"]),
        "teams": len(leaves),
        "teams_without": int(org["teams_without"]),
        "teams_quiet": int(org["teams_quiet"]),
        "without": leaves.loc[leaves["status"] == "none", "team"].tolist(),
        "quiet": leaves.loc[leaves["status"] == "quiet", "team"].tolist(),
    }


def roster_table(champions: pd.DataFrame, activities: pd.DataFrame, today: date) -> pd.DataFrame:
    """The roster as a person reads it: who, where, since when, whether active today, how active lately.

    `champions` has id, alias, team, started_on, ended_on; `activities` champion_id, happened_on,
    people_reached.
    """
    done = activities[activities["happened_on"].astype(str) <= today.isoformat()]
    sessions = done.groupby("champion_id").agg(
        last=("happened_on", "max"), sessions=("happened_on", "size"), reached=("people_reached", "sum")
    )
    joined = champions.merge(sessions, left_on="id", right_index=True, how="left")
    active = active_mask(champions, today).to_numpy()
    return pd.DataFrame(
        {
            "Champion": joined["alias"].to_numpy(),
            "Team": joined["team"].to_numpy(),
            "Start": joined["started_on"].to_numpy(),
            "End": joined["ended_on"].astype(object).where(joined["ended_on"].notna(), None).to_numpy(),
            "Active today": [
                "yes" if on else "not yet" if str(start) > today.isoformat() else "stepped down"
                for on, start in zip(active, joined["started_on"], strict=True)
            ],
            "Last activity": joined["last"].fillna("none yet").to_numpy(),
            "Sessions": joined["sessions"].fillna(0).astype(int).to_numpy(),
            "People reached": joined["reached"].fillna(0).astype(int).to_numpy(),
        }
    )


# The roster grid -----------------------------------------------------------------------------

ROSTER_EDITS: dict[str, str] = {"Name or alias": "alias", "Team": "team", "Start": "started_on", "End": "ended_on"}
"""Columns of the roster grid a user edits, and the fields update_champions takes them as."""


def roster_grid(champions: pd.DataFrame, activities: pd.DataFrame, today: date) -> pd.DataFrame:
    """The roster as the page's editor shows it: id, the columns of ROSTER_EDITS (dates as dates), then
    how active each champion is (roster_table's Active today, Last activity and Sessions)."""
    table = roster_table(champions, activities, today)
    return pd.DataFrame(
        {
            "id": champions["id"].to_numpy(),
            "Name or alias": champions["alias"].to_numpy(),
            "Team": champions["team"].to_numpy(),
            "Start": [as_date(value) for value in champions["started_on"]],
            "End": [as_date(value) for value in champions["ended_on"]],
            "Active today": table["Active today"].to_numpy(),
            "Last activity": table["Last activity"].to_numpy(),
            "Sessions": table["Sessions"].to_numpy(),
        }
    )


def roster_edits(shown: pd.DataFrame, edited: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows a user changed in the roster editor, as update_champions edits: id and every roster field.

    Rows pair by index (the editor keeps the grid's). Cells are compared after tidying, as
    actions.edits does: an emptied End is a change; NaN against None, a name typed with extra
    spaces or a date picked again is none. An edit carries the cells as the user left them, so the
    checks name the values they refuse.
    """
    changes = []
    for row in edited.index:
        if row not in shown.index:
            continue
        cells = {field: edited.at[row, column] for column, field in ROSTER_EDITS.items()}
        if any(
            _comparable(field, cells[field]) != _comparable(field, shown.at[row, column])
            for column, field in ROSTER_EDITS.items()
        ):
            changes.append({"id": int(shown.at[row, "id"]), **cells})
    return changes


def _comparable(field: str, value: object) -> object:
    """A roster cell as check_champion would read it; a date that is no date stays its text, for the check to name."""
    if blank(value):
        return None
    if field in ("started_on", "ended_on"):
        try:
            return as_date(value)
        except ValueError:
            return str(value).strip()
    return " ".join(str(value).split())


# Champion effect -----------------------------------------------------------------------------

CONFIDENCE = 0.95


def champion_effect(
    readiness_frame: pd.DataFrame,
    champions: pd.DataFrame,
    activities: pd.DataFrame,
    waves: pd.DataFrame,
    min_teams: int = DEFAULTS["champion_effect_min_teams"],
    quiet_days: int = DEFAULTS["champion_quiet_days"],
) -> pd.DataFrame:
    """Per wave, readiness of teams with an active champion against teams with none in post, teams as the unit.

    A team's state in a wave is its champions' on the day the wave opened, by the one definition every
    page uses (champion_states): "with" where one of them was active (in post, with a session logged
    in the `quiet_days` days up to that day), "without" where none was in post, and quiet where they
    were all in post but none had logged a session. Quiet teams are neither: they are left out of the
    comparison and counted (teams_quiet), so a quiet champion is never taken for an active one, nor
    for no champion at all.
    Only teams without teams below them count, and only where their figure is shown: never a
    suppressed team, nor one whose figure comes from entered team means (no spread).
    Champions are assigned to teams, not to respondents, so each team counts once: a group's mean
    is the mean of its teams' readiness indices, its sd the spread between teams, and the
    difference (with − without) gets Welch's test and 95% CI over teams (analysis.welch). A
    thousand respondents in ten teams are ten observations of a champion's effect, not a thousand.
    Where either group has fewer than `min_teams` teams the difference is not tested: too few
    teams to tell.

    Parameters: `readiness_frame` is readiness_by_team (wave_id, team_id, has_children, direct_n,
    n, readiness, readiness_sd, suppressed, aggregate_n); `champions` has id, team_id, started_on,
    ended_on; `activities` champion_id, happened_on; `waves` id, name, opened_on.
    Returns one row per wave: wave_id, wave, opened_on, and per group (`with_`, `without_`) mean
    (of team indices), sd (between teams), n (respondents), teams, ci_low, ci_high; then
    difference, ci_low, ci_high, df, p, too_few (fewer than `min_teams` in a group), teams_quiet
    (shown teams left out: their champions were quiet), teams_hidden (left out: suppressed) and
    teams_entered (left out: entered means).
    """
    rows = []
    for wave in waves.sort_values(["opened_on", "id"]).itertuples():
        active, in_post = _teams_by_state(champions, activities, as_date(wave.opened_on), quiet_days)
        part = readiness_frame[
            (readiness_frame["wave_id"] == wave.id)
            & ~readiness_frame["has_children"].astype(bool)
            & (readiness_frame["team_id"] != ORGANISATION)
            & (readiness_frame["direct_n"] > 0)
        ]
        hidden = part["suppressed"].astype(bool)
        entered = ~hidden & part["readiness_sd"].isna()
        usable = part[~hidden & ~entered]
        team = usable["team_id"].astype(int)
        has, none = team.isin(active), ~team.isin(in_post)
        row = {"wave_id": int(wave.id), "wave": wave.name, "opened_on": str(wave.opened_on)}
        for prefix, group in (("with", usable[has]), ("without", usable[none])):
            row |= {f"{prefix}_{key}": value for key, value in _team_level(group).items()}
        # One team has no spread between teams to test against, whatever the setting says.
        row["too_few"] = bool(min(row["with_teams"], row["without_teams"]) < max(min_teams, 2))
        row |= _team_difference(row)
        row["teams_quiet"] = int((~has & ~none).sum())
        row["teams_hidden"] = int(hidden.sum())
        row["teams_entered"] = int(entered.sum())
        rows.append(row)
    columns = [
        "wave_id", "wave", "opened_on",
        *(f"{g}_{k}" for g in ("with", "without") for k in ("mean", "sd", "n", "teams", "ci_low", "ci_high")),
        "difference", "ci_low", "ci_high", "df", "p", "too_few", "teams_quiet", "teams_hidden", "teams_entered",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _teams_by_state(
    champions: pd.DataFrame, activities: pd.DataFrame, day: date, quiet_days: int
) -> tuple[set[int], set[int]]:
    """The teams with an active champion on `day`, and those with any champion in post (active or quiet)."""
    if not len(champions):
        return set(), set()
    states = champion_states(champions, activities, day, quiet_days)
    team = champions["team_id"].astype(int)
    return set(team[states == "active"]), set(team[states != "not in post"])


def _team_level(teams: pd.DataFrame) -> dict[str, float]:
    """The mean of the teams' indices, their sd between teams, the respondents behind them, and the mean's 95% CI."""
    indices = teams["readiness"].to_numpy(float)
    count = len(indices)
    if count == 0:
        return {"mean": np.nan, "sd": np.nan, "n": 0, "teams": 0, "ci_low": np.nan, "ci_high": np.nan}
    mean = float(indices.mean())
    sd = float(indices.std(ddof=1)) if count > 1 else np.nan
    low, high = scoring.confidence_interval(pd.Series([mean]), pd.Series([sd]), pd.Series([count]), CONFIDENCE)
    n = int(teams["n"].sum())
    return {"mean": mean, "sd": sd, "n": n, "teams": count, "ci_low": low[0], "ci_high": high[0]}


def _team_difference(row: Mapping[str, Any]) -> dict[str, float]:
    """The difference of the groups' team means (with − without), Welch's 95% CI over teams, df and p."""
    difference = float(row["with_mean"] - row["without_mean"])
    if row["too_few"]:
        return {"difference": difference, "ci_low": np.nan, "ci_high": np.nan, "df": np.nan, "p": np.nan}
    found = analysis.welch(
        *(row[f"with_{key}"] for key in ("mean", "sd", "teams")),
        *(row[f"without_{key}"] for key in ("mean", "sd", "teams")),
        confidence=CONFIDENCE,
    )
    return {key: float(found[key]) for key in ("difference", "ci_low", "ci_high", "df", "p")}


EFFECT_GROUPS: dict[str, str] = {"with": "With an active champion", "without": "No champion in post"}
"""The champion effect's two groups as a chart's legend and a table's columns name them."""


def effect_lines(effect: pd.DataFrame) -> pd.DataFrame:
    """champion_effect as tidy rows for a chart: wave, group, mean, ci_low, ci_high, n, teams (groups with figures)."""
    parts = []
    for prefix, label in EFFECT_GROUPS.items():
        part = pd.DataFrame(
            {
                "wave": effect["wave"],
                "opened_on": effect["opened_on"],
                "group": label,
                "mean": effect[f"{prefix}_mean"],
                "ci_low": effect[f"{prefix}_ci_low"],
                "ci_high": effect[f"{prefix}_ci_high"],
                "n": effect[f"{prefix}_n"],
                "teams": effect[f"{prefix}_teams"],
                "difference": effect["difference"],
                "difference_low": effect["ci_low"],
                "difference_high": effect["ci_high"],
            }
        )
        parts.append(part[part["n"] > 0])
    return pd.concat(parts, ignore_index=True)


def effect_table(effect: pd.DataFrame) -> pd.DataFrame:
    """champion_effect as a person reads it: each group's index and n, the quiet teams left out, the difference
    and its CI per wave."""
    return pd.DataFrame(
        {
            "Wave": effect["wave"],
            EFFECT_GROUPS["with"]: effect["with_mean"].round(1),
            "n with (teams)": [_n_text(n, t) for n, t in zip(effect["with_n"], effect["with_teams"], strict=True)],
            EFFECT_GROUPS["without"]: effect["without_mean"].round(1),
            "n without (teams)": [
                _n_text(n, t) for n, t in zip(effect["without_n"], effect["without_teams"], strict=True)
            ],
            "Quiet teams left out": effect["teams_quiet"].astype(int),
            "Difference": effect["difference"].round(1),
            "95% CI": [
                "" if pd.isna(low) else f"{low:+.1f} to {high:+.1f}"
                for low, high in zip(effect["ci_low"], effect["ci_high"], strict=True)
            ],
            "Reads as": [_reading(row) for row in effect.itertuples()],
        }
    )


def _n_text(n: int, teams: int) -> str:
    return f"{int(n):,} ({int(teams)})" if n else "none"


def _reading(row: Any) -> str:
    if not row.with_teams or not row.without_teams:
        return "no comparison: a group has no shown team"
    if row.too_few:
        return f"too few teams to tell ({int(row.with_teams)} with, {int(row.without_teams)} without)"
    if pd.isna(row.ci_low):
        return "no test possible: no spread between teams"
    if row.ci_low > 0:
        return "higher with a champion"
    if row.ci_high < 0:
        return "lower with a champion"
    return "no clear difference"


def describe_effect(
    effect: pd.DataFrame,
    min_teams: int = DEFAULTS["champion_effect_min_teams"],
    quiet_days: int = DEFAULTS["champion_quiet_days"],
) -> str:
    """One paragraph on champion_effect: the latest wave compared, the quiet teams it left out, every wave's
    reading in turn, and that this is an association, not cause."""
    both = effect[(effect["with_teams"] > 0) & (effect["without_teams"] > 0)]
    if both.empty:
        return (
            "No wave has shown teams both with an active champion and with no champion in post, so there is "
            "nothing to compare yet. Any comparison would be an association, not cause."
        )
    last = both.iloc[-1]
    readings = [_reading(row) for row in both.itertuples()]
    groups = (
        f"teams with an active champion had a mean readiness index of {last['with_mean']:.1f} "
        f"({int(last['with_teams'])} teams, n = {int(last['with_n']):,} respondents), teams with no champion "
        f"in post {last['without_mean']:.1f} ({int(last['without_teams'])} teams, n = {int(last['without_n']):,})"
    )
    difference = float(last["difference"])
    if last["too_few"]:
        verdict = (
            f"**too few teams to tell** ({difference:+.1f} points; a test needs at least {min_teams} teams "
            "with an active champion and with none)"
        )
    elif pd.isna(last["ci_low"]):
        verdict = f"**no test possible** ({difference:+.1f} points, no spread between teams)"
    else:
        interval = f"95% CI of the difference {last['ci_low']:+.1f} to {last['ci_high']:+.1f}, teams as the unit"
        if last["ci_low"] > 0:
            verdict = f"**{difference:.1f} points higher** with a champion ({interval})"
        elif last["ci_high"] < 0:
            verdict = f"**{-difference:.1f} points lower** with a champion ({interval})"
        else:
            verdict = f"**no clear difference** ({difference:+.1f} points, {interval})"
    quiet = int(last["teams_quiet"])
    left_out = (
        f" {plural(quiet, 'team')} whose champions were quiet (in post, no session in the {quiet_days} days "
        f"before the wave opened) {agree(quiet, 'is', 'are')} left out."
        if quiet
        else ""
    )
    counts = pd.Series(readings).map(lambda text: text.split(" (")[0]).value_counts()
    order = ("higher with a champion", "lower with a champion", "no clear difference", "too few teams to tell")
    names = [*(name for name in order if name in counts), *(name for name in counts.index if name not in order)]
    tally = "; ".join(f"{name} in {plural(int(counts[name]), 'wave')}" for name in names)
    return (
        f"In {last['wave']}, {groups}: {verdict}.{left_out} Over the {plural(len(both), 'wave')} compared: {tally}. "
        "Champions are assigned to teams, so each team counts once, not each respondent. "
        "This is an association, not cause: teams with champions may differ in other ways (size, work, "
        "leadership), and champions may have been placed where readiness was already high or low."
    )
