"""The action log: what was promised, by whom and by when; what is overdue; what was done, and what moved after.

Pure functions over plain data (DataFrames, dicts): every check names the field and the value it
refuses, and every date rule takes `today`, so the same inputs always give the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cxchange import analysis
from cxchange.hierarchy import subtree_members, team_tree
from cxchange.model import ELEMENT_LABELS, ELEMENTS, KOTTER_STEPS
from cxchange.text import blank, p_text, plural

STATUSES: tuple[str, ...] = ("open", "in progress", "done", "dropped")
OPEN_STATUSES: tuple[str, ...] = ("open", "in progress")
SOURCES: tuple[str, ...] = ("workshop", "review", "survey comment", "other")
EDITABLE: tuple[str, ...] = ("title", "owner", "team_id", "element", "kotter_step", "due_on", "status", "source")
"""The fields update_actions may change; closed_on follows status, votes have set_votes."""

FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "owner": "Owner",
    "team_id": "Team",
    "element": "Element",
    "kotter_step": "Kotter step",
    "due_on": "Due",
    "status": "Status",
    "source": "Source",
    "votes": "Votes",
    "closed_on": "Closed on",
}
TITLE_LIMIT = 200
OWNER_LIMIT = 120
"""Longest owner name (with role) accepted, of an action or an initiative."""
NO_TEAM = "Across the programme"
"""Where an action without a team is listed."""

EFFECT_CALLS: tuple[str, ...] = (
    *analysis.CHANGE_CALLS,
    "hidden",
    "waiting for the next wave",
    "no earlier wave",
    "no results",
    "not followed",
)
"""What action_effects can say: the change calls of analysis.changes, and why there is no call."""


class ActionProblems(ValueError):
    """Input an action cannot be stored with; `problems` holds one sentence per field, naming its value."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _show(value: Any) -> str:
    """A refused value as the message quotes it."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def check_title(value: Any) -> str:
    """The title, its spaces tidied; it must say what will be done."""
    if blank(value):
        raise ValueError("Title is empty: say what will be done.")
    title = " ".join(str(value).split())
    if len(title) > TITLE_LIMIT:
        raise ValueError(f"Title: {title[:40]!r}… is {len(title)} characters long; keep it to {TITLE_LIMIT}.")
    return title


def check_owner(value: Any, required: bool = False) -> str | None:
    """An owner's name (and role, if given), its spaces tidied; None where empty, unless `required`.

    An action may have no owner; an initiative needs one (the first check of programme health).
    """
    if blank(value):
        if required:
            raise ValueError("Nothing saved: give the owner's name (and role, if you like).")
        return None
    owner = " ".join(str(value).split())
    if len(owner) > OWNER_LIMIT:
        raise ValueError(f"Owner: {owner[:40]!r}… is {len(owner)} characters long; keep it to {OWNER_LIMIT}.")
    return owner


def check_element(value: Any) -> str | None:
    """The targeted ADKAR element (its name or label, any case), or None."""
    if blank(value):
        return None
    element = str(value).strip().lower()
    if element not in ELEMENTS:
        choices = ", ".join(ELEMENT_LABELS[e] for e in ELEMENTS[:-1]) + f" or {ELEMENT_LABELS[ELEMENTS[-1]]}"
        raise ValueError(f"Element: {_show(value)} is not an ADKAR element; choose {choices}, or leave it empty.")
    return element


def check_kotter_step(value: Any) -> int | None:
    """The targeted Kotter step, 1 to 8, or None."""
    if blank(value):
        return None
    problem = f"Kotter step: {_show(value)} is not one of Kotter's steps 1 to 8; leave it empty for none."
    if isinstance(value, bool):
        raise ValueError(problem)
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError(problem) from None
    if not math.isfinite(number) or not number.is_integer() or not 1 <= number <= len(KOTTER_STEPS):
        raise ValueError(problem)
    return int(number)


def check_due(value: Any) -> str | None:
    """The due date as YYYY-MM-DD, from a date or an ISO date string; or None."""
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"Due: {_show(value)} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31.") from None


def check_status(value: Any) -> str:
    """One of STATUSES (any case)."""
    choices = ", ".join(STATUSES[:-1]) + f" or {STATUSES[-1]}"
    if blank(value):
        raise ValueError(f"Status is empty; choose {choices}.")
    status = " ".join(str(value).split()).lower()
    if status not in STATUSES:
        raise ValueError(f"Status: {_show(value)} is not a status; choose {choices}.")
    return status


def check_source(value: Any) -> str | None:
    """Where the action came from, one of SOURCES (any case); or None."""
    if blank(value):
        return None
    source = " ".join(str(value).split()).lower()
    if source not in SOURCES:
        choices = ", ".join(SOURCES[:-1]) + f" or {SOURCES[-1]}"
        raise ValueError(f"Source: {_show(value)} is not a source; choose {choices}, or leave it empty.")
    return source


def check_votes(value: Any) -> int:
    """A dot-vote count: a whole number, 0 or more."""
    problem = f"Votes: {_show(value)} must be a whole number, 0 or more."
    if blank(value) or isinstance(value, bool):
        raise ValueError(problem)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(problem) from None
    if not math.isfinite(number) or not number.is_integer() or number < 0:
        raise ValueError(problem)
    return int(number)


def check_team(value: Any, team_ids: Collection[int] | None = None) -> int | None:
    """A team id of the workspace (when `team_ids` is given), or None for an action across the programme."""
    if blank(value):
        return None
    try:
        team = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"Team: {_show(value)} is not a team of this workspace.") from None
    if team != value and not (isinstance(value, str) and value.strip() == str(team)):
        raise ValueError(f"Team: {_show(value)} is not a team of this workspace.")
    if team_ids is not None and team not in team_ids:
        raise ValueError(f"Team: {team} is not a team of this workspace.")
    return team


CHECKS = {
    "title": check_title,
    "owner": check_owner,
    "element": check_element,
    "kotter_step": check_kotter_step,
    "due_on": check_due,
    "status": check_status,
    "source": check_source,
    "votes": check_votes,
}


def check_fields(
    values: Mapping[str, Any], team_ids: Collection[int] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Check each given field of an action; returns the tidied values and a problem per refused field."""
    clean: dict[str, Any] = {}
    problems: list[str] = []
    for field, value in values.items():
        try:
            if field == "team_id":
                clean[field] = check_team(value, team_ids)
            elif field in CHECKS:
                clean[field] = CHECKS[field](value)
            else:
                raise ValueError(f"{field!r} is not a field of an action.")
        except ValueError as problem:
            problems.append(str(problem))
    return clean, problems


DUE_DAYS = 14
"""A form offers a due date this many days on (the room or the editor may name another day)."""


def default_due(today: date) -> date:
    """The due date a form offers for a new action: DUE_DAYS after `today`."""
    return today + timedelta(days=DUE_DAYS)


OWNER_MISSING = "Owner is empty: name the person who will see it done (and their role, if you like)."
DUE_MISSING = "Due is empty: give the day it is due, as YYYY-MM-DD, so it can be followed up."


def check_new_action(values: Mapping[str, Any], team_ids: Collection[int] | None = None) -> dict[str, Any]:
    """A new action's fields, tidied; raises ActionProblems naming every refused field and its value.

    An action is accountable: it needs an owner and a due date, or it can never be chased nor be overdue.
    """
    fields = {"title": values.get("title"), **values}
    fields.setdefault("owner", None)
    fields.setdefault("due_on", None)
    clean, problems = check_fields(fields, team_ids)
    given = {problem.split(":")[0] for problem in problems}
    if clean.get("owner") is None and "Owner" not in given:
        problems.append(OWNER_MISSING)
    if clean.get("due_on") is None and "Due" not in given:
        problems.append(DUE_MISSING)
    if problems:
        raise ActionProblems(problems)
    return clean


def check_changes(
    changes: Iterable[Mapping[str, Any]],
    titles: Mapping[int, str],
    team_ids: Collection[int] | None = None,
    statuses: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Edits to stored actions ({"id": ..., field: value, ...}), tidied; raises ActionProblems naming the
    action, the field and the value of every problem, so none of them is stored.

    `statuses` (id -> stored status) refuses an edit that blanks the owner or the due date of an action
    open or in progress after it: an open action stays accountable (a closed one may lose them).
    """
    clean, problems = [], []
    for change in changes:
        action_id = change.get("id")
        if action_id not in titles:
            problems.append(f"There is no action with id {_show(action_id)} in this workspace.")
            continue
        fields = {field: value for field, value in change.items() if field != "id"}
        unknown = [field for field in fields if field not in EDITABLE]
        if unknown:
            problems.append(f"“{titles[action_id]}”: {', '.join(map(repr, unknown))} cannot be changed here.")
            continue
        tidy, found = check_fields(fields, team_ids)
        status = tidy.get("status", (statuses or {}).get(action_id))
        if statuses is not None and status in OPEN_STATUSES:
            for field, missing in (("owner", OWNER_MISSING), ("due_on", DUE_MISSING)):
                if field in fields and field in tidy and tidy[field] is None:
                    found.append(
                        f"{FIELD_LABELS[field]} cannot be blanked while it is {status}: {missing.split(': ', 1)[1]}"
                    )
        problems += [f"“{titles[action_id]}”, {problem}" for problem in found]
        clean.append({"id": action_id, **tidy})
    if problems:
        raise ActionProblems(problems)
    return clean


def closing_date(before: str, after: str, closed_on: str | None, today: date) -> str | None:
    """closed_on once the status goes from `before` to `after`: today on closing, None on reopening."""
    if after in OPEN_STATUSES:
        return None
    if before in OPEN_STATUSES:
        return today.isoformat()
    return closed_on or today.isoformat()


def describe_applied(applied: Iterable[Mapping[str, Any]]) -> list[str]:
    """What update_actions changed, one line per action: “title”: status open → done; closed on 2026-11-20."""
    by_action: dict[Any, tuple[str, list[str]]] = {}
    for change in applied:
        field, before, after = change["field"], change["before"], change["after"]
        if field == "closed_on":
            text = "closing date cleared" if blank(after) else f"closed on {after}"
        else:
            shown = ["(none)" if blank(value) else value for value in (before, after)]
            text = f"{FIELD_LABELS.get(field, field).lower()} {shown[0]} → {shown[1]}"
        by_action.setdefault(change["id"], (change["title"], []))[1].append(text)
    return [f"“{title}”: {'; '.join(texts)}" for title, texts in by_action.values()]


# What is overdue ----------------------------------------------------------------------------------


def days_overdue(actions: pd.DataFrame, today: date) -> pd.Series:
    """Per action, how many days past its due date it is while still open or in progress (else 0).

    Due today is not overdue: the owner still has the day.
    """
    due = pd.to_datetime(actions["due_on"], errors="coerce", format="%Y-%m-%d")
    late = (pd.Timestamp(today) - due).dt.days
    still_open = actions["status"].isin(OPEN_STATUSES)
    return late.where(still_open & late.gt(0), 0).fillna(0).astype(int)


def overdue(actions: pd.DataFrame, today: date) -> pd.DataFrame:
    """Open or in-progress actions whose due date is before `today`, most overdue first, with days_overdue."""
    late = actions.assign(days_overdue=days_overdue(actions, today))
    return late[late["days_overdue"] > 0].sort_values(["days_overdue", "title"], ascending=[False, True])


def overdue_text(days: int) -> str:
    """ "1 day overdue", "12 days overdue"; "" when not overdue."""
    if days <= 0:
        return ""
    return f"{plural(days, 'day')} overdue"


def summary(actions: pd.DataFrame, today: date) -> dict[str, int]:
    """How many actions are open, in progress, overdue, done and dropped."""
    counts = actions["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES} | {
        "overdue": int((days_overdue(actions, today) > 0).sum())
    }


# Aimed at the barrier -------------------------------------------------------------------------------

FLAG_COLUMNS: tuple[str, ...] = ("id", "days_overdue", "overdue", "barrier", "past_barrier", "flags")
"""What action_flags gives per action: days overdue and its words, the team's barrier element, whether the
action aims past it, and both flags in words joined by " · "."""


def latest_barriers(results: pd.DataFrame) -> dict[int, str]:
    """Each team's barrier element in the latest wave (by opening date) of readiness figures, as the pages
    show it: none for a hidden team (suppressed), none for the organisation, none where no element is at
    or below the threshold. `results`: team_id, opened_on, suppressed, barrier_point (readiness.figures)."""
    dated = results.dropna(subset=["opened_on"]) if "opened_on" in results else results.iloc[0:0]
    if dated.empty:
        return {}
    latest = dated[dated["opened_on"] == dated["opened_on"].max()]
    shown = latest[(latest["team_id"] != 0) & ~latest["suppressed"].astype(bool) & latest["barrier_point"].notna()]
    return {int(team): str(point) for team, point in zip(shown["team_id"], shown["barrier_point"], strict=True)}


def past_barrier(element: Any, barrier: Any) -> bool:
    """Whether an action aimed at `element` aims past a team stuck at `barrier`: ADKAR goes in order, so a
    later element cannot be built before the barrier is."""
    if blank(element) or blank(barrier) or element not in ELEMENTS or barrier not in ELEMENTS:
        return False
    return ELEMENTS.index(str(element)) > ELEMENTS.index(str(barrier))


def past_barrier_text(element: Any, barrier: Any) -> str:
    """ "Aimed at Knowledge, past its Awareness barrier"; "" where the action is not aimed past it."""
    if not past_barrier(element, barrier):
        return ""
    return f"Aimed at {ELEMENT_LABELS[element]}, past its {ELEMENT_LABELS[barrier]} barrier"


def action_flags(actions: pd.DataFrame, barriers: Mapping[int, str], today: date) -> pd.DataFrame:
    """Per action, what should worry its owner: days overdue (open or in progress, past its due date) and
    whether it is aimed past its team's barrier (`barriers`: team id -> barrier element, latest_barriers;
    a hidden team has none, so no flag). Only open or in-progress actions are flagged past the barrier:
    a closed one is history. Returns FLAG_COLUMNS, in the order of `actions`.

    The Actions page, Team detail and the reports call this one function, so they flag alike.
    """
    late = days_overdue(actions, today) if len(actions) else pd.Series([], dtype=int)
    still_open = actions["status"].isin(OPEN_STATUSES) if len(actions) else pd.Series([], dtype=bool)
    rows = []
    for (action_id, team, element), days, active in zip(
        zip(actions["id"], actions["team_id"], actions["element"], strict=True), late, still_open, strict=True
    ):
        barrier = None if blank(team) else barriers.get(int(team))
        past = bool(active) and past_barrier(element, barrier)
        words = [
            f"⚠ {overdue_text(int(days))}" if days > 0 else "",
            past_barrier_text(element, barrier) if past else "",
        ]
        rows.append(
            {
                "id": int(action_id),
                "days_overdue": int(days),
                "overdue": overdue_text(int(days)),
                "barrier": barrier,
                "past_barrier": past,
                "flags": " · ".join(word for word in words if word),
            }
        )
    return pd.DataFrame(rows, columns=list(FLAG_COLUMNS))


def open_table(actions: pd.DataFrame, barriers: Mapping[int, str], today: date) -> pd.DataFrame:
    """Open actions (store.actions.open_actions) as Team detail lists them, each with its flags in words beside
    it: Action, Flags ("⚠ 92 days overdue · Aimed at Knowledge, past its Awareness barrier"), Owner, Due, Status,
    Team, Targets."""
    flags = action_flags(actions, barriers, today)
    return pd.DataFrame(
        {
            "Action": _texts(actions["title"]),
            "Flags": flags["flags"].tolist(),
            "Owner": _texts(actions["owner"], "no owner"),
            "Due": _texts(actions["due_on"], "no date"),
            "Status": _texts(actions["status"]),
            "Team": _texts(actions["team"]),
            "Targets": [
                targets_text(element, step)
                for element, step in zip(actions["element"], actions["kotter_step"], strict=True)
            ],
        }
    )


def cover_text(team: str, cover: BarrierCover) -> str:
    """What Team detail says of a team at a barrier: whether an open action is aimed at it and on time."""
    label = ELEMENT_LABELS[cover.barrier]
    if cover.state == "on time":
        return f"{team}'s {label} barrier has an open action aimed at it: “{cover.aimed[0]}”."
    if cover.state == "late":
        return (
            f"{team} is at its {label} barrier and the only open action aimed at it, “{cover.aimed[0]}”, is past "
            "its due date: agree a new date or a new action."
        )
    return f"{team} is at its {label} barrier and no open action is aimed at it (for the team or a team above it)."


@dataclass(frozen=True)
class BarrierCover:
    """Whether a team at a barrier has an open action aimed at it (for the team or a team above it).

    state: "on time" (one not past due), "late" (only past-due ones), or "none"; `aimed` the titles of the
    open actions aimed at it, `past` (title, element) of those aimed past it."""

    team_id: int
    barrier: str
    state: str
    aimed: tuple[str, ...]
    past: tuple[tuple[str, str], ...]


def barrier_cover(team_id: int, barrier: str, actions: pd.DataFrame, teams: pd.DataFrame, today: date) -> BarrierCover:
    """The one rule for "is anything being done about this team's barrier?", shared by Team detail and the
    programme-health check "barriers": an open or in-progress action counts where its team is `team_id` or
    a team above it and its element is the barrier; it is on time unless past its due date (due today, or no
    due date, is on time). `actions`: title, team_id, element, status, due_on; `teams`: id, parent_id."""
    members = subtree_members(teams) if len(teams) else pd.DataFrame(columns=["ancestor_id", "team_id"])
    above = {int(team_id), *members.loc[members["team_id"] == int(team_id), "ancestor_id"].astype(int)}
    if actions.empty:  # no action at all (a frame given without its columns too)
        return BarrierCover(int(team_id), barrier, "none", (), ())
    live = actions[actions["status"].isin(OPEN_STATUSES) & actions["team_id"].notna()]
    helping = live[live["team_id"].map(lambda team: int(team) in above).astype(bool)]
    aimed = helping[helping["element"] == barrier]
    on_time = aimed["due_on"].map(lambda day: blank(day) or str(day)[:10] >= today.isoformat()).astype(bool)
    state = "on time" if on_time.any() else "late" if len(aimed) else "none"
    past = helping[helping["element"].map(lambda element: past_barrier(element, barrier)).astype(bool)]
    return BarrierCover(
        team_id=int(team_id),
        barrier=barrier,
        state=state,
        aimed=tuple(str(title) for title in aimed["title"]),
        past=tuple((str(title), str(element)) for title, element in zip(past["title"], past["element"], strict=True)),
    )


# The log as the page shows and edits it -------------------------------------------------------------

LOG_EDITS: dict[str, str] = {"Status": "status", "Owner": "owner", "Due": "due_on"}
"""Columns of the log a user edits in place, and the fields they write."""


def targets_text(element: Any, step: Any, label_set: str = "current") -> str:
    """What an action targets: its ADKAR element, its Kotter step, both, or nothing."""
    parts = []
    if not blank(element):
        parts.append(ELEMENT_LABELS.get(element, str(element)))
    if not blank(step):
        parts.append(f"Kotter {int(step)}: {KOTTER_STEPS[int(step) - 1].label(label_set)}")
    return " · ".join(parts)


def filter_actions(
    actions: pd.DataFrame,
    today: date,
    team_ids: Collection[int] | None = None,
    statuses: Collection[str] | None = None,
    overdue_only: bool = False,
) -> pd.DataFrame:
    """The actions of some teams (None: every action, those of no team too), statuses, or only the overdue."""
    keep = pd.Series(True, index=actions.index)
    if team_ids is not None:
        keep &= actions["team_id"].isin(list(team_ids))
    if statuses is not None:
        keep &= actions["status"].isin(list(statuses))
    if overdue_only:
        keep &= days_overdue(actions, today) > 0
    return actions[keep]


def log_table(
    actions: pd.DataFrame, today: date, label_set: str = "current", barriers: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """The log as the page's editor shows it, indexed by action id: the overdue flag ("⚠ 92 days overdue"),
    the action, then the columns a user edits (Status, Due as a date, Owner), then the rest, with "Barrier"
    saying where an open action aims past its team's barrier (`barriers`, latest_barriers; none: not judged)."""
    late = days_overdue(actions, today)
    due = pd.to_datetime(actions["due_on"], errors="coerce", format="%Y-%m-%d")
    flags = action_flags(actions, barriers or {}, today)
    past = [
        past_barrier_text(element, barrier) if flagged else ""
        for element, barrier, flagged in zip(actions["element"], flags["barrier"], flags["past_barrier"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "Overdue": [f"⚠ {overdue_text(int(days))}" if days else "" for days in late],
            "Action": _texts(actions["title"]),
            "Status": _texts(actions["status"]),
            "Due": [None if pd.isna(day) else day.date() for day in due],
            "Owner": _texts(actions["owner"], None),
            "Team": _texts(actions["team"], NO_TEAM),
            "Targets": [
                targets_text(element, step, label_set)
                for element, step in zip(actions["element"], actions["kotter_step"], strict=True)
            ],
            "Barrier": past,
            "Source": _texts(actions["source"]),
            "Votes": actions["votes"].astype(int).to_numpy(),
            "Closed on": _texts(actions["closed_on"]),
        }
    )
    table.index = pd.Index(actions["id"].astype(int).to_numpy(), name="id")
    return table


def _texts(column: pd.Series, missing: str | None = "") -> list:
    """A text column as plain values, `missing` where it is empty (pandas 3 reads a NULL as NaN)."""
    return [missing if blank(value) else value for value in column]


def edits(shown: pd.DataFrame, edited: pd.DataFrame) -> list[dict[str, Any]]:
    """The cells a user changed in the log editor, as update_actions changes ({"id": ..., field: value}).

    Values are compared after tidying, so an owner typed with extra spaces or a date picked again is
    no change.
    """
    changes = []
    for action_id in edited.index:
        if action_id not in shown.index:
            continue
        change: dict[str, Any] = {}
        for column, field in LOG_EDITS.items():
            before, after = (
                _comparable(field, shown.at[action_id, column]),
                _comparable(field, edited.at[action_id, column]),
            )
            if before != after:
                change[field] = edited.at[action_id, column] if after is _UNREADABLE else after
        if change:
            changes.append({"id": int(action_id), **change})
    return changes


_UNREADABLE = object()


def _comparable(field: str, value: Any) -> Any:
    try:
        return CHECKS[field](value) if field != "status" or not blank(value) else None
    except ValueError:
        return _UNREADABLE  # left for check_changes to name


# "You said, we did" ---------------------------------------------------------------------------------


def you_said_we_did(actions: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    """Done actions per team, teams in hierarchy order (actions of no team last), latest closed first.

    Columns: id, team_id, team, title, element, kotter_step, source, owner, closed_on.
    """

    done = actions[actions["status"] == "done"]
    order = team_tree(teams).set_index("team_id")["order"]
    result = pd.DataFrame(
        {
            "id": done["id"].astype(int),
            "team_id": done["team_id"],
            "team": done["team"].astype(object).where(done["team"].notna(), NO_TEAM),
            "title": done["title"],
            "element": done["element"],
            "kotter_step": done["kotter_step"],
            "source": done["source"],
            "owner": done["owner"],
            "closed_on": done["closed_on"],
            "position": done["team_id"].map(order).fillna(len(order)).astype(int),
        }
    )
    result = result.sort_values(["position", "closed_on", "title"], ascending=[True, False, True])
    return result.drop(columns="position").reset_index(drop=True)


# What moved after an action -----------------------------------------------------------------------


@dataclass(frozen=True)
class WavePair:
    """The survey waves either side of the day an action was closed (None where there is none)."""

    before: pd.Series | None
    after: pd.Series | None


def waves_around(waves: pd.DataFrame, closed_on: str) -> WavePair:
    """The last wave opened on or before `closed_on` and the first opened after it."""
    ordered = waves.sort_values(["opened_on", "id"])
    earlier = ordered[ordered["opened_on"] <= closed_on]
    later = ordered[ordered["opened_on"] > closed_on]
    return WavePair(
        before=earlier.iloc[-1] if not earlier.empty else None, after=later.iloc[0] if not later.empty else None
    )


EFFECT_COLUMNS: tuple[str, ...] = (
    "id", "team_id", "team", "title", "element", "closed_on", "before_wave", "after_wave", "before", "after",
    "delta", "n_before", "n_after", "p", "p_adjusted", "mdc", "call", "sentence",
)  # fmt: skip


def action_effects(
    actions: pd.DataFrame, readiness_frame: pd.DataFrame, waves: pd.DataFrame, alpha: float = 0.05, min_n: int = 5
) -> pd.DataFrame:
    """For each done action, whether its targeted element moved for its team from the wave before it was
    closed to the first wave after.

    `readiness_frame` is readiness_by_team for everyone (suppressed figures already blanked) and
    `waves` the initiative's waves (id, name, opened_on). Each change is tested as analysis.changes
    tests it (Welch; entered team means cannot be tested), then Benjamini–Hochberg corrects across
    the actions tested here, so "up" and "down" hold for the whole list at once. Actions without a
    team or an element are "not followed". Returns EFFECT_COLUMNS, one row per done action.
    """
    done = actions[actions["status"] == "done"]
    rows = []
    for action in done.itertuples(index=False):
        row = {
            "id": int(action.id),
            "team_id": action.team_id,
            "team": action.team if not blank(action.team) else NO_TEAM,
            "title": action.title,
            "element": action.element if not blank(action.element) else None,
            "closed_on": action.closed_on,
            "before_wave": None,
            "after_wave": None,
            **dict.fromkeys(("before", "after", "delta", "n_before", "n_after", "p", "mdc", "level"), np.nan),
        }
        rows.append(row)
        if blank(action.team_id) or blank(action.element) or blank(action.closed_on):
            row["call"] = "not followed"
            continue
        pair = waves_around(waves, str(action.closed_on))
        row["before_wave"] = pair.before["name"] if pair.before is not None else None
        row["after_wave"] = pair.after["name"] if pair.after is not None else None
        if pair.before is None:
            row["call"] = "no earlier wave"
            continue
        if pair.after is None:
            row["call"] = "waiting for the next wave"
            continue
        team = readiness_frame[readiness_frame["team_id"] == int(action.team_id)]
        before = team[team["wave_id"] == pair.before["id"]]
        after = team[team["wave_id"] == pair.after["id"]]
        if before.empty or after.empty:
            row["call"] = "no results"
            continue
        if bool(before["suppressed"].iloc[0]) or bool(after["suppressed"].iloc[0]):
            row["call"] = "hidden"
            continue
        cell = analysis.changes(
            readiness_frame, int(pair.before["id"]), int(pair.after["id"]), [int(action.team_id)], alpha
        )
        cell = cell[cell["element"] == action.element].iloc[0]
        row |= {
            "before": float(cell["before"]),
            "after": float(cell["after"]),
            "delta": float(cell["delta"]),
            "n_before": int(cell["n_before"]),
            "n_after": int(cell["n_after"]),
            "p": float(cell["p"]),
            "mdc": float(cell["mdc"]),
            "level": float(cell["level"]),
            "call": "no test possible" if cell["call"] == "no test possible" else "tested",
        }
    if not rows:
        return pd.DataFrame(columns=list(EFFECT_COLUMNS))
    table = pd.DataFrame(rows)
    table["p_adjusted"] = analysis.benjamini_hochberg(table["p"].to_numpy(float))
    tested = table["call"] == "tested"
    significant = tested & (table["p_adjusted"] < alpha)
    table.loc[tested, "call"] = "no clear change"
    table.loc[significant & (table["delta"] > 0), "call"] = "up"
    table.loc[significant & (table["delta"] < 0), "call"] = "down"
    # The detectable change at the level these calls are made at (across the actions), not the grid's:
    # it is linear in the sd, so rescale it by the t-based shift at the two levels.
    level = analysis.call_level(int(significant.sum()), int(tested.sum()), alpha)
    n_before, n_after = table["n_before"].to_numpy(float), table["n_after"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = table["mdc"].to_numpy(float) / analysis.minimum_detectable_change(1.0, n_before, n_after, table["level"])
    table["mdc"] = analysis.minimum_detectable_change(sd, n_before, n_after, level)
    table["sentence"] = [effect_sentence(row, min_n) for row in table.itertuples(index=False)]
    return table[list(EFFECT_COLUMNS)]


def effect_sentence(effect: Any, min_n: int = 5) -> str:
    """What moved after an action, in one sentence with its n (a row of action_effects)."""
    call = effect.call
    element = ELEMENT_LABELS.get(effect.element, "") if isinstance(effect.element, str) else ""
    waves = f"{effect.before_wave} → {effect.after_wave}"
    if call in ("up", "down", "no clear change", "no test possible"):
        figures = (
            f"{effect.before:.2f} → {effect.after:.2f} on 1–5, n = {int(effect.n_before):,} → {int(effect.n_after):,}"
        )
        delta = f"{effect.delta:+.2f} points".replace("-0.00", "0.00").replace("+0.00", "0.00")
        if call == "no test possible":
            return (
                f"No test possible for {element}, {waves}: team-level entries carry no respondent data "
                f"({figures}, {delta})."
            )
        adjusted = p_text(effect.p_adjusted)
        if call == "no clear change":
            detectable = (
                f"; with these n, a change under about {effect.mdc:.2f} would not show"
                if math.isfinite(effect.mdc)
                else ""
            )
            return f"No clear change in {element}, {waves}: {figures}, {delta} (adjusted p {adjusted}{detectable})."
        return f"{element} {call} {abs(effect.delta):.2f} points, {waves}: {figures} (adjusted p {adjusted})."
    if call == "hidden":
        return (
            f"Hidden: {effect.team} has fewer than {min_n} responses in {effect.before_wave} or {effect.after_wave}, "
            "or its figure is withheld so a smaller group stays hidden."
        )
    if call == "waiting for the next wave":
        return f"Waiting for the next wave: closed on {effect.closed_on}, after {effect.before_wave} opened."
    if call == "no earlier wave":
        return f"No survey wave opened before it was closed on {effect.closed_on}: nothing to compare with."
    if call == "no results":
        return f"{effect.team} has no survey results in {effect.before_wave} or {effect.after_wave} to compare."
    return "Not followed in the survey: the action names no team or no ADKAR element."
