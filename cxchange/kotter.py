"""The Kotter board: an initiative's eight steps, checks on an edit, the warnings a sponsor should
see, and where the teams' ADKAR barrier points say the work has not landed.

Pure: plain DataFrames in (db.kotter_steps, db.kotter_step_history, one wave of
services.readiness_by_team), plain data out; every rule about time takes `today`.

The ADKAR-to-Kotter mapping goes by step number, so it is the same whichever label set names the
steps: Awareness is built by steps 1 (urgency), 3 (the vision) and 4 (Leading Change's
"communicate the change vision": a vision people have not heard builds no awareness; under its
Accelerate name, "enlist a volunteer army", the same step is how the vision reaches people);
Desire by 2 (the coalition people see committed) and 4 (volunteers who want to join); Knowledge
and Ability by 5 (removing barriers: training, tools, time); Reinforcement by 6 (short-term wins)
and 8 (instituting the change). Step 7 builds on the others and addresses no element of its own.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from cxchange.model import ELEMENT_LABELS, ELEMENTS, KOTTER_LABEL_SETS, KOTTER_STATUSES, KOTTER_STEPS
from cxchange.text import agree, blank, plural, upper_first

STEP_NUMBERS: tuple[int, ...] = tuple(step.number for step in KOTTER_STEPS)
FIELDS: tuple[str, ...] = ("status", "owner", "evidence", "started_on", "due_on", "health")
"""The fields of a step a user edits (and that a change is recorded for)."""
BOARD_COLUMNS: tuple[str, ...] = ("step", "label", *FIELDS, "updated_on")
NOT_STARTED, IN_PROGRESS, DONE, AT_RISK = KOTTER_STATUSES
ACTIVE: frozenset[str] = frozenset({IN_PROGRESS, AT_RISK})
"""Statuses of a step someone is working on: only these can go stale."""
URGENCY, WINS, SUSTAIN, INSTITUTE = 1, 6, 7, 8

ELEMENT_STEPS: dict[str, tuple[int, ...]] = {
    "awareness": (1, 3, 4),
    "desire": (2, 4),
    "knowledge": (5,),
    "ability": (5,),
    "reinforcement": (6, 8),
}
"""The Kotter steps that address a team stuck at each ADKAR element (see the module's docstring)."""

# Warning kinds
OUT_OF_ORDER = "out of order"
BEFORE_A_WIN = "before a win"
STALE = "stale"
URGENCY_FALLING = "urgency falling"


def label(step: int, label_set: str = "current") -> str:
    """A step's name in the label set."""
    return KOTTER_STEPS[step - 1].label(label_set)


def step_name(step: int, label_set: str = "current") -> str:
    """How a sentence names a step: number and name, e.g. "step 6 'Generate short-term wins'"."""
    return f"step {step} '{label(step, label_set)}'"


def _check_label_set(label_set: str) -> None:
    if label_set not in KOTTER_LABEL_SETS:
        raise ValueError(f"Unknown Kotter label set {label_set!r}; label sets are: {', '.join(KOTTER_LABEL_SETS)}.")


def board(steps: pd.DataFrame, label_set: str = "current") -> pd.DataFrame:
    """All eight steps of an initiative, in order, labelled; a step never stored is "not started".

    `steps` are store.kotter.kotter_steps rows (step, status, owner, evidence, started_on, due_on, health,
    updated_on). Returns BOARD_COLUMNS plus `stored` (whether the step has a row yet); text
    fields are None where empty, health an Int64 (NA where unrated), dates ISO strings or None.
    """
    _check_label_set(label_set)
    stored = {int(row["step"]): row for row in steps.to_dict("records")} if len(steps) else {}
    rows = []
    for number in STEP_NUMBERS:
        row = stored.get(number, {})
        rows.append(
            {
                "step": number,
                "label": label(number, label_set),
                "status": row.get("status") or NOT_STARTED,
                "owner": _text(row.get("owner")),
                "evidence": _text(row.get("evidence")),
                "started_on": _text(row.get("started_on")),
                "due_on": _text(row.get("due_on")),
                "health": None if blank(row.get("health")) else int(row["health"]),
                "updated_on": _text(row.get("updated_on")),
                "stored": number in stored,
            }
        )
    # Text columns as objects: pandas' default string dtype would turn None into NaN.
    dtypes = {"step": "int64", "health": "Int64", "stored": "bool"}
    return pd.DataFrame(
        {
            column: pd.Series([row[column] for row in rows], dtype=dtypes.get(column, object))
            for column in (*BOARD_COLUMNS, "stored")
        }
    )


def _text(value: Any) -> str | None:
    return None if blank(value) else str(value).strip()


# Checking an edit -----------------------------------------------------------------------------


def check_update(step: Any, values: Mapping[str, Any], label_set: str = "current") -> tuple[dict[str, Any], list[str]]:
    """Check a step's new values; returns the row to store and the problems (none when it can be stored).

    `values` holds FIELDS (a missing one counts as empty): status one of KOTTER_STATUSES; owner and
    evidence text or empty; started_on and due_on ISO dates (YYYY-MM-DD; a date object will do)
    or empty, the start not after the due date; health a whole number from 1 to 5 or empty. Each
    problem names the step, the field and the value given.
    """
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step not in STEP_NUMBERS:
        return {}, [f"There is no Kotter step {step!r}: steps are numbered 1 to 8."]
    step = int(step)
    where = f"Step {step} '{label(step, label_set)}'"
    problems: list[str] = []
    row: dict[str, Any] = {"step": step}

    status = values.get("status")
    if blank(status):
        problems.append(f"{where}, status: empty; choose one of {', '.join(KOTTER_STATUSES)}.")
    elif not isinstance(status, str) or status.strip().lower() not in KOTTER_STATUSES:
        problems.append(f"{where}, status: {status!r} is not one of {', '.join(KOTTER_STATUSES)}.")
    else:
        row["status"] = status.strip().lower()

    for field, name in (("owner", "owner"), ("evidence", "evidence")):
        value = values.get(field)
        if blank(value):
            row[field] = None
        elif not isinstance(value, str):
            problems.append(f"{where}, {name}: {value!r} is not text.")
        else:
            row[field] = value.strip()

    for field, name in (("started_on", "started"), ("due_on", "due")):
        value = values.get(field)
        parsed = _date(value)
        if parsed is None and not blank(value):
            problems.append(f"{where}, {name}: {value!r} is not a date; write it as YYYY-MM-DD.")
        row[field] = parsed.isoformat() if parsed else None
    if row["started_on"] and row["due_on"] and row["due_on"] < row["started_on"]:
        problems.append(f"{where}, due: {row['due_on']} is before the step started ({row['started_on']}).")

    health = values.get("health")
    if blank(health):
        row["health"] = None
    elif isinstance(health, bool) or not isinstance(health, numbers.Real) or health not in (1, 2, 3, 4, 5):
        problems.append(f"{where}, health: {health!r} is not a rating from 1 to 5; leave it empty for no rating.")
    else:
        row["health"] = int(health)
    return row, problems


def _date(value: Any) -> date | None:
    """A date from an ISO string or a date-like object; None where empty or not a date."""
    if blank(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


def stored_values(row: Mapping[str, Any]) -> tuple:
    """A step's FIELDS as compared for a change: empties as None, health an int; a step never stored
    (no status) is "not started", as the board shows it."""
    values = {field: None if blank(row.get(field)) else row[field] for field in FIELDS}
    values["status"] = values["status"] or NOT_STARTED
    return tuple(
        None if values[field] is None else int(values[field]) if field == "health" else str(values[field])
        for field in FIELDS
    )


EDITOR_COLUMNS: dict[str, str] = {
    "label": "Step",
    "status": "Status",
    "health": "Health (1–5)",
    "owner": "Owner",
    "evidence": "Evidence",
    "started_on": "Started",
    "due_on": "Due",
    "updated_on": "Last update",
}
"""Board columns as the editor names them, in the editor's order."""


def editor_frame(steps_board: pd.DataFrame) -> pd.DataFrame:
    """The board as the editing grid shows it (EDITOR_COLUMNS): indexed by step, labels numbered,
    dates as date objects, empty text as "" (the grid would print None)."""
    index = pd.Index(steps_board["step"].to_numpy(), name="step")
    columns = {
        "label": [f"{number}. {name}" for number, name in zip(steps_board["step"], steps_board["label"], strict=True)],
        "status": steps_board["status"].tolist(),
        "health": pd.array(steps_board["health"], dtype="Int64"),
        "owner": [value or "" for value in steps_board["owner"]],
        "evidence": [value or "" for value in steps_board["evidence"]],
        "started_on": [_date(value) for value in steps_board["started_on"]],
        "due_on": [_date(value) for value in steps_board["due_on"]],
        "updated_on": [value or "never" for value in steps_board["updated_on"]],
    }
    return pd.DataFrame(
        {
            EDITOR_COLUMNS[field]: pd.Series(values, index=index, dtype="Int64" if field == "health" else object)
            for field, values in columns.items()
        }
    )


def changed_steps(
    steps_board: pd.DataFrame, edited: pd.DataFrame, label_set: str = "current"
) -> tuple[list[dict[str, Any]], list[str]]:
    """The steps an edited grid (editor_frame's, indexed by step) changes, checked: (rows to store, problems).

    Only rows the user touched are checked, so a questionable value stored long ago in another
    step does not block today's edit; a touched row that ends up as stored is no change.
    """
    given = editor_frame(steps_board)
    before = {int(row["step"]): row for row in steps_board.to_dict("records")}
    rows, problems = [], []
    for number, cells in edited.iterrows():
        number = int(number)
        values = {field: cells.get(EDITOR_COLUMNS[field]) for field in FIELDS}
        if number in given.index and all(
            _comparable(values[field]) == _comparable(given.at[number, EDITOR_COLUMNS[field]]) for field in FIELDS
        ):
            continue
        row, found = check_update(number, values, label_set)
        if found:
            problems += found
        elif stored_values(row) != stored_values(before.get(number, {})):
            rows.append(row)
    return rows, problems


def _comparable(value: Any) -> Any:
    """A cell's value as compared for "did the user touch it": empties alike, dates as ISO, 3.0 as 3."""
    if blank(value):
        return None
    if isinstance(value, date | pd.Timestamp):
        return _date(value).isoformat()
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value


FIELD_NAMES: dict[str, str] = {
    "status": "status",
    "owner": "owner",
    "evidence": "evidence",
    "started_on": "started",
    "due_on": "due",
    "health": "health",
}


def describe_changes(steps_board: pd.DataFrame, rows: Iterable[Mapping[str, Any]], label_set: str = "current") -> str:
    """What a save changed, one clause per step, e.g. "Step 8 'Institute change': status not started → done."."""
    before = {int(row["step"]): row for row in steps_board.to_dict("records")}
    parts = []
    for row in rows:
        old = dict(zip(FIELDS, stored_values(before.get(row["step"], {})), strict=True))
        new = dict(zip(FIELDS, stored_values(row), strict=True))
        clauses = []
        for field in FIELDS:
            if old[field] == new[field]:
                continue
            if field in ("owner", "evidence") and old[field] and new[field]:
                clauses.append(f"{FIELD_NAMES[field]} changed")
            else:
                clauses.append(f"{FIELD_NAMES[field]} {_shown(old[field])} → {_shown(new[field])}")
        parts.append(f"Step {row['step']} '{label(row['step'], label_set)}': {', '.join(clauses)}.")
    return " ".join(parts)


def _shown(value: Any) -> str:
    return "empty" if value is None else str(value)


# Warnings -------------------------------------------------------------------------------------


# Named as the board speaks of it; callers write kotter.Warning, so Python's own Warning stays theirs.
@dataclass(frozen=True)
class Warning:
    """Something on the board a sponsor should look at: the step, the kind of problem, and why."""

    step: int
    kind: str
    reason: str


def warnings(
    steps_board: pd.DataFrame, history: pd.DataFrame, today: date, stale_weeks: int, label_set: str = "current"
) -> list[Warning]:
    """Every warning for the board, in step order, each with a plain sentence saying why.

    - out of order: a step is done while an earlier one has not started;
    - before a win: step 7 or 8 is under way or done while no short-term win (step 6) is done;
    - stale: a step in progress or at risk has had no update for `stale_weeks` weeks or more
      (its last update: the board's updated_on, else its latest history row);
    - urgency falling: step 1's latest health rating is lower than the one before it.

    `steps_board` is board(...); `history` store.kotter.kotter_history rows (step, changed_on, status, health).
    """
    status = dict(zip(steps_board["step"].astype(int), steps_board["status"], strict=True))
    found: list[Warning] = []
    for number in STEP_NUMBERS:
        if status[number] != DONE:
            continue
        waiting = [earlier for earlier in STEP_NUMBERS[: number - 1] if status[earlier] == NOT_STARTED]
        if waiting:
            names = _join([step_name(earlier, label_set) for earlier in waiting])
            verb = agree(len(waiting), "has", "have")
            found.append(
                Warning(
                    number,
                    OUT_OF_ORDER,
                    f"Step {number} '{label(number, label_set)}' is done, but {names} {verb} not started: "
                    "Kotter's steps build on each other, so the earlier work is still owed.",
                )
            )
    if status[WINS] != DONE:
        for number in (SUSTAIN, INSTITUTE):
            if status[number] != NOT_STARTED:
                found.append(
                    Warning(
                        number,
                        BEFORE_A_WIN,
                        f"Step {number} '{label(number, label_set)}' is {status[number]}, but no short-term win "
                        f"(step {WINS}) is done yet. There is nothing proven to sustain or anchor.",
                    )
                )
    found += _stale(steps_board, history, today, stale_weeks, label_set)
    falling = _urgency_falling(history, label_set)
    if falling:
        found.append(falling)
    kinds = (OUT_OF_ORDER, BEFORE_A_WIN, STALE, URGENCY_FALLING)
    return sorted(found, key=lambda warning: (warning.step, kinds.index(warning.kind)))


def last_updates(steps_board: pd.DataFrame, history: pd.DataFrame) -> dict[int, date | None]:
    """Each step's last update: the board's updated_on, else its latest history row, else None."""
    latest: dict[int, str] = {}
    if len(history):
        latest = history.groupby("step")["changed_on"].max().to_dict()
    result = {}
    for number, updated in zip(steps_board["step"].astype(int), steps_board["updated_on"], strict=True):
        candidates = [_date(value) for value in (updated, latest.get(number)) if _date(value)]
        result[number] = max(candidates) if candidates else None
    return result


def _stale(
    steps_board: pd.DataFrame, history: pd.DataFrame, today: date, stale_weeks: int, label_set: str
) -> list[Warning]:
    updates = last_updates(steps_board, history)
    found = []
    for number, status in zip(steps_board["step"].astype(int), steps_board["status"], strict=True):
        if status not in ACTIVE:
            continue
        last = updates[number]
        name = f"Step {number} '{label(number, label_set)}'"
        if last is None:
            found.append(Warning(number, STALE, f"{name} is {status}, but no update of it has ever been recorded."))
        elif today - last >= timedelta(weeks=stale_weeks):
            weeks = (today - last).days // 7
            found.append(
                Warning(
                    number,
                    STALE,
                    f"{name} is {status}, but has had no update for {weeks} weeks (last on {last.isoformat()}; "
                    f"the board flags {stale_weeks} weeks or more).",
                )
            )
    return found


def _urgency_falling(history: pd.DataFrame, label_set: str) -> Warning | None:
    if not len(history):
        return None
    rated = history[(history["step"] == URGENCY) & history["health"].notna()]
    rated = rated.sort_values(["changed_on", "id"] if "id" in rated.columns else ["changed_on"])
    if len(rated) < 2:
        return None
    before, now = rated.iloc[-2], rated.iloc[-1]
    if int(now["health"]) >= int(before["health"]):
        return None
    return Warning(
        URGENCY,
        URGENCY_FALLING,
        f"Step {URGENCY} '{label(URGENCY, label_set)}': health fell from {int(before['health'])} "
        f"({before['changed_on']}) to {int(now['health'])} ({now['changed_on']}). Without a felt urgency "
        "the later steps lose their pull.",
    )


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# Barrier points beside the steps ---------------------------------------------------------------


def barrier_steps(wave_rows: pd.DataFrame, label_set: str = "current") -> pd.DataFrame:
    """Per Kotter step, the shown teams whose current barrier point the step addresses.

    `wave_rows` are one wave of services.readiness_by_team. Only teams at the bottom of the
    hierarchy count (a parent's roll-up would count its teams twice), and only those whose figures
    are shown: a hidden team's barrier point is not told, not even as a count. Returns step, label,
    elements (the element labels the step addresses), teams (how many), team_names (sorted,
    comma-separated) and, per element, the teams stuck there (`stuck`: element -> names).
    """
    _check_label_set(label_set)
    stuck = stuck_teams(wave_rows)
    rows = []
    for number in STEP_NUMBERS:
        elements = [element for element in ELEMENTS if number in ELEMENT_STEPS[element]]
        names = sorted({name for element in elements for name in stuck[element]})
        rows.append(
            {
                "step": number,
                "label": label(number, label_set),
                "elements": ", ".join(ELEMENT_LABELS[element] for element in elements),
                "teams": len(names),
                "team_names": ", ".join(names),
            }
        )
    return pd.DataFrame(rows)


def stuck_teams(wave_rows: pd.DataFrame) -> dict[str, list[str]]:
    """Element -> the shown bottom-level teams whose barrier point it is (sorted by name)."""
    shown = wave_rows[
        ~wave_rows["suppressed"].astype(bool) & ~wave_rows["has_children"].astype(bool) & (wave_rows["team_id"] != 0)
    ]
    return {element: sorted(shown.loc[shown["barrier_point"] == element, "team"].astype(str)) for element in ELEMENTS}


def hidden_team_count(wave_rows: pd.DataFrame) -> int:
    """Bottom-level teams of the wave whose figures are hidden (left out of barrier_steps)."""
    leaves = wave_rows[~wave_rows["has_children"].astype(bool) & (wave_rows["team_id"] != 0)]
    return int(leaves["suppressed"].astype(bool).sum())


def disagreements(steps_board: pd.DataFrame, wave_rows: pd.DataFrame, label_set: str = "current") -> list[str]:
    """Sentences where the board and the people's readiness disagree, one per ADKAR element at most.

    Teams stuck at an element while a step that builds it is marked done ("the work has not reached
    them"), or while none of the steps that build it has started ("no work addresses it yet").
    """
    status = dict(zip(steps_board["step"].astype(int), steps_board["status"], strict=True))
    sentences = []
    for element, names in stuck_teams(wave_rows).items():
        if not names:
            continue
        steps = ELEMENT_STEPS[element]
        teams = f"{plural(len(names), 'team')} ({', '.join(names)})"
        are = agree(len(names), "is", "are")
        done = [number for number in steps if status[number] == DONE]
        if done:
            verb = agree(len(done), "is", "are")
            sentences.append(
                f"{upper_first(_join([step_name(n, label_set) for n in done]))} {verb} marked done, but {teams} "
                f"{are} still stuck at {ELEMENT_LABELS[element]}: the work has not reached them yet."
            )
        elif all(status[number] == NOT_STARTED for number in steps):
            which = agree(len(steps), "the step that builds it, has", "the steps that build it, have")
            sentences.append(
                f"{teams} {are} stuck at {ELEMENT_LABELS[element]}, but "
                f"{_join([step_name(n, label_set) for n in steps])}, {which} not started."
            )
    return sentences


# Timeline -------------------------------------------------------------------------------------


def timeline_segments(history: pd.DataFrame, today: date, label_set: str = "current") -> pd.DataFrame:
    """How each step moved: one segment per recorded change, from its date to the next change (or today).

    Columns: step, label (numbered, as the chart's axis shows it), status, start, end (ISO dates),
    health (Int64), owner, evidence. Several changes on one day keep the last.
    """
    _check_label_set(label_set)
    columns = ["step", "label", "status", "start", "end", "health", "owner", "evidence"]
    if not len(history):
        return pd.DataFrame(columns=columns)
    order = ["step", "changed_on", "id"] if "id" in history.columns else ["step", "changed_on"]
    rows = history.sort_values(order).drop_duplicates(["step", "changed_on"], keep="last")
    segments = []
    for number, part in rows.groupby("step", sort=True):
        starts = part["changed_on"].astype(str).tolist()
        ends = [*starts[1:], max(today.isoformat(), starts[-1])]
        for (_, change), end in zip(part.iterrows(), ends, strict=True):
            segments.append(
                {
                    "step": int(number),
                    "label": axis_label(int(number), label_set),
                    "status": change["status"],
                    "start": str(change["changed_on"]),
                    "end": end,
                    "health": None if blank(change.get("health")) else int(change["health"]),
                    "owner": _text(change.get("owner")),
                    "evidence": _text(change.get("evidence")),
                }
            )
    result = pd.DataFrame(segments, columns=columns)
    result["health"] = result["health"].astype("Int64")
    return result


def axis_label(step: int, label_set: str = "current") -> str:
    """A step as a chart axis names it: "1. Create a sense of urgency"."""
    return f"{step}. {label(step, label_set)}"
