"""The organisation as its users set it up: the team tree (grid or org file), merges, initiatives and waves.

Pure: every rule takes plain data (the stored teams as a DataFrame, rows as dicts) and returns what
to write or the problems that stop it, each one sentence naming the row, the column and the value.
Team names are compared, and lookalikes and refusals decided, by `cxchange.names`, nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxchange import names
from cxchange.importing.reading import DEFAULT_LIMITS, ImportRejected, Limits, read_survey
from cxchange.text import blank, heading_key, plural, shown

TEAM_FIELDS = ("name", "parent", "headcount", "code", "archived")
"""What a row may say about a team; a field a row leaves out (None-valued key missing) keeps what is stored."""

CODE_LENGTH = 40
NAME_LENGTH = 120
"""The longest initiative or wave name accepted."""

GRID_COLUMNS = ("id", "Team", "Parent team", "Headcount", "Code", "Archived")

ORG_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("team", "team name", "name", "department", "unit", "team or department"),
    "parent": ("parent team", "parent", "reports to", "parent name", "parent department", "parent unit", "under"),
    "headcount": ("headcount", "head count", "people", "number of people", "employees", "staff", "size"),
    "code": ("team code", "code", "team id", "department code", "cost centre", "cost center"),
}
"""Org-file columns by what they hold, under the headings people give them (compared by text.heading_key)."""


# Teams -----------------------------------------------------------------------------------------


@dataclass
class PlannedTeam:
    """One row's team as it will be: `outcome` "create", "update" or "unchanged", and what changes, in words."""

    row: str
    outcome: str
    id: int | None
    name: str
    parent: str | None
    headcount: int | None
    code: str | None
    archived: bool
    changes: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """What happens to the row's team, as the preview and the command line say it."""
        if self.outcome == "create":
            where = f"under {self.parent}" if self.parent else "at the top level"
            people = "headcount not given" if self.headcount is None else plural(self.headcount, "person", "people")
            return f"{self.row}: create {self.name} ({where}, {people})."
        if self.outcome == "update":
            return f"{self.row}: update {self.name}: {'; '.join(self.changes)}."
        return f"{self.row}: {self.name} unchanged."


@dataclass
class TeamPlan:
    """Every row's team as it will be, and the problems that stop the whole save (none: it can be written)."""

    teams: list[PlannedTeam]
    problems: list[str]

    def counts(self) -> dict[str, int]:
        """How many rows create, update or leave a team unchanged."""
        return {kind: sum(team.outcome == kind for team in self.teams) for kind in ("create", "update", "unchanged")}

    def summary(self, done: bool = False) -> str:
        """One sentence on the whole plan: what it will do, or (`done`) what it did."""
        counts = self.counts()
        if done:
            return (
                f"{plural(counts['create'], 'team')} created, {counts['update']} updated, "
                f"{counts['unchanged']} unchanged."
            )
        return (
            f"{plural(counts['create'], 'team')} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged."
        )


def check_headcount(value: Any, where: str) -> tuple[int | None, str | None]:
    """A headcount (people in the team itself) as a whole number of 0 or more, or None where blank."""
    if blank(value):
        return None, None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return None, f"{where}, headcount: {shown(value)} is not a number: give how many people are in the team itself."
    if number != number or number in (float("inf"), float("-inf")):
        return None, f"{where}, headcount: {shown(value)} is not a number: give how many people are in the team itself."
    if number < 0:
        return None, f"{where}, headcount: {shown(value)} is negative: give how many people are in the team, 0 or more."
    if not number.is_integer():
        return None, f"{where}, headcount: {shown(value)} is not a whole number of people."
    return int(number), None


def _code(value: Any) -> str | None:
    return None if blank(value) else names.tidy(value)


def _archived(value: Any) -> bool:
    if blank(value):
        return False
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "yes", "1", "y", "x", "archived")
    return bool(value)


def plan_teams(teams: pd.DataFrame, rows: Iterable[Mapping[str, Any]]) -> TeamPlan:
    """Check rows describing teams against the stored ones; returns the plan and every problem found.

    `teams` has id, name, parent_id, headcount, code and archived_on (every team, archived ones too:
    their names stay taken). Each row has `row` (how messages name it: "Row 3"), `id` (a stored
    team's id, or None for a new team), and any of TEAM_FIELDS (`parent` a team's name, blank for
    the top level); a field left out keeps what is stored. Parents may be teams of other rows.
    Refused: a name names.refusal refuses, two teams with one name key, a name that only looks like
    another team's (names.lookalikes), an unknown or archived parent, a loop in the parents, a
    headcount that is no whole number of 0 or more, a code another team has, archiving a team that
    active teams still report to.
    """
    stored = {int(row["id"]): row for row in teams.to_dict("records")}
    name_of = {team_id: str(row["name"]) for team_id, row in stored.items()}
    rows = [dict(row) for row in rows]
    problems: list[str] = []
    planned: list[PlannedTeam] = []
    by_id: dict[Any, PlannedTeam] = {}
    for number, row in enumerate(rows):
        where = str(row.get("row") or f"Row {number + 1}")
        team_id = None if blank(row.get("id")) else int(row["id"])
        if team_id is not None and team_id not in stored:
            problems.append(f"{where}: there is no team with id {team_id} in this workspace.")
            continue
        before = stored.get(team_id, {})
        name = names.tidy(row["name"]) if "name" in row else str(before.get("name", ""))
        if "name" in row and (refusal := names.refusal(row["name"])):
            problems.append(f"{where}, team: {refusal}")
            continue
        headcount = None if blank(before.get("headcount")) else int(before["headcount"])
        if "headcount" in row:
            headcount, problem = check_headcount(row["headcount"], where)
            if problem:
                problems.append(problem)
        code = _code(row["code"]) if "code" in row else _code(before.get("code"))
        if code is not None and len(code) > CODE_LENGTH:
            problems.append(f"{where}, code: {code[:40]!r} is longer than {CODE_LENGTH} characters.")
        archived = _archived(row["archived"]) if "archived" in row else not blank(before.get("archived_on"))
        parent_before = before.get("parent_id")
        parent = (
            (None if blank(row["parent"]) else names.tidy(row["parent"]))
            if "parent" in row
            else (None if blank(parent_before) else name_of.get(int(parent_before)))
        )
        team = PlannedTeam(
            where, "create" if team_id is None else "unchanged", team_id, name, parent, headcount, code, archived
        )
        planned.append(team)
        by_id[team_id if team_id is not None else ("new", number)] = team

    # The names every team will have: the rows' teams as planned, the other stored teams as they are.
    final: dict[Any, tuple[str, str]] = {}  # key -> (name, how a message names its owner)
    for team_id, row in stored.items():
        if team_id not in by_id:
            label = "the archived team" if not blank(row.get("archived_on")) else "the team"
            final.setdefault(names.key(row["name"]), (str(row["name"]), f"{label} {row['name']}"))
    seen_codes = {
        str(row["code"]): str(row["name"])
        for team_id, row in stored.items()
        if team_id not in by_id and not blank(row.get("code"))
    }
    repeated: list[PlannedTeam] = []
    for team in planned:
        taken = final.get(names.key(team.name))
        if taken:
            problems.append(f"{team.row}, team: {team.name!r} is already the name of {taken[1]}: choose another name.")
            repeated.append(team)
        else:
            final[names.key(team.name)] = (team.name, f"{team.row} ({team.name})")
        if team.code is not None:
            if team.code in seen_codes:
                problems.append(f"{team.row}, code: {team.code!r} is already the code of {seen_codes[team.code]}.")
            else:
                seen_codes[team.code] = team.name
    all_names = [name for name, _ in final.values()]
    for team in planned:
        renamed = team.id is None or names.key(team.name) != names.key(name_of.get(team.id, ""))
        if renamed and (alike := names.lookalikes(team.name, all_names)):
            problems.append(
                f"{team.row}, team: {team.name!r} only looks like {alike[0]!r} (a letter of another alphabet, an "
                "accent or the punctuation differs): use that team's name, or type the new name again."
            )

    # Parents: each must be a team there will be, not archived, and no team may end up below itself.
    planned = [team for team in planned if all(team is not other for other in repeated)]
    planned_by_key = {names.key(team.name): team for team in planned}
    stored_by_key = {names.key(row["name"]): row for team_id, row in stored.items() if team_id not in by_id}
    parent_key: dict[str, str | None] = {}
    for team in planned:
        if team.parent is None:
            parent_key[names.key(team.name)] = None
            continue
        wanted = names.key(team.parent)
        if wanted in planned_by_key:
            target_archived = planned_by_key[wanted].archived
            team.parent = planned_by_key[wanted].name
        elif wanted in stored_by_key:
            target_archived = not blank(stored_by_key[wanted].get("archived_on"))
            team.parent = str(stored_by_key[wanted]["name"])
        else:
            problems.append(
                f"{team.row}, parent team: {team.parent!r} is not a team of this workspace or of these rows."
            )
            continue
        if target_archived and not team.archived:
            problems.append(
                f"{team.row}, parent team: {team.parent} is archived: bring it back first, or choose another parent."
            )
        parent_key[names.key(team.name)] = wanted
    for team_id, row in stored.items():
        if team_id not in by_id:
            parent_id = row.get("parent_id")
            parent_key[names.key(row["name"])] = None if blank(parent_id) else names.key(name_of[int(parent_id)])
    problems += _loops(planned, parent_key, {key: name for key, (name, _) in final.items()})
    problems += _archived_parents(planned, stored, by_id, parent_key, name_of)

    for team in planned:
        if team.id is not None:
            team.changes = _changes(stored[team.id], team, name_of)
            team.outcome = "update" if team.changes else "unchanged"
    return TeamPlan(planned + repeated, problems)


def _loops(
    planned: list[PlannedTeam], parent_key: Mapping[str, str | None], shown_name: Mapping[str, str]
) -> list[str]:
    """A sentence per row whose team would end up below itself (each loop named once)."""
    problems, reported = [], set()
    for team in planned:
        start = names.key(team.name)
        path, node = [start], parent_key.get(start)
        while node is not None and node not in path:
            path.append(node)
            node = parent_key.get(node)
        if node != start or frozenset(path) in reported:
            continue
        reported.add(frozenset(path))
        if len(path) == 1:
            problems.append(f"{team.row}, parent team: {team.name} cannot report to itself.")
        else:
            loop = " → ".join(shown_name.get(key, key) for key in [*path, start])
            problems.append(f"{team.row}, parent team: {team.parent} would put {team.name} below itself ({loop}).")
    return problems


def _archived_parents(
    planned: list[PlannedTeam],
    stored: Mapping[int, Mapping[str, Any]],
    by_id: Mapping[Any, PlannedTeam],
    parent_key: Mapping[str, str | None],
    name_of: Mapping[int, str],
) -> list[str]:
    """A sentence per team being archived while active teams would still report to it."""
    active = {names.key(team.name): team.name for team in planned if not team.archived}
    active |= {
        names.key(row["name"]): str(row["name"])
        for team_id, row in stored.items()
        if team_id not in by_id and blank(row.get("archived_on"))
    }
    problems = []
    for team in planned:
        if not team.archived:
            continue
        below = sorted(name for key, name in active.items() if parent_key.get(key) == names.key(team.name))
        if below:
            problems.append(
                f"{team.row}, archived: {team.name} cannot be archived while {', '.join(below)} "
                f"{'reports' if len(below) == 1 else 'report'} to it: move {'it' if len(below) == 1 else 'them'} first."
            )
    return problems


def _changes(before: Mapping[str, Any], team: PlannedTeam, name_of: Mapping[int, str]) -> list[str]:
    """What a row changes of a stored team, in words ("headcount 40 → 42")."""
    changes = []
    if team.name != before["name"]:
        changes.append(f"renamed from {before['name']}")
    parent = None if blank(before.get("parent_id")) else name_of.get(int(before["parent_id"]))
    if (team.parent or None) != parent:
        changes.append(f"parent {parent or 'none (top level)'} → {team.parent or 'none (top level)'}")
    headcount = None if blank(before.get("headcount")) else int(before["headcount"])
    if team.headcount != headcount:
        changes.append(f"headcount {_or_blank(headcount)} → {_or_blank(team.headcount)}")
    code = None if blank(before.get("code")) else str(before["code"])
    if team.code != code:
        changes.append(f"code {_or_blank(code)} → {_or_blank(team.code)}")
    if team.archived != (not blank(before.get("archived_on"))):
        changes.append("archived" if team.archived else "brought back from the archive")
    return changes


def _or_blank(value: Any) -> str:
    return "(none)" if value is None else str(value)


def team_grid(teams: pd.DataFrame, merged_away: Iterable[int] = ()) -> pd.DataFrame:
    """The Organisation grid: a row per team (merged-away teams left out), parents named, in tree order."""
    gone = {int(team_id) for team_id in merged_away}
    kept = teams[~teams["id"].astype(int).isin(gone)]
    name_of = dict(zip(teams["id"].astype(int), teams["name"], strict=True))
    kept = kept.sort_values(["archived_on", "name"], na_position="first", key=lambda column: column.astype(str))
    text = {"dtype": object}
    return pd.DataFrame(
        {
            "id": pd.array(kept["id"].astype(int), dtype="Int64"),
            "Team": pd.Series(kept["name"].tolist(), **text),
            "Parent team": pd.Series([None if pd.isna(p) else name_of.get(int(p)) for p in kept["parent_id"]], **text),
            "Headcount": pd.array(pd.to_numeric(kept["headcount"]).round(), dtype="Int64"),
            "Code": pd.Series([None if blank(code) else str(code) for code in kept["code"]], **text),
            "Archived": pd.Series([not blank(day) for day in kept["archived_on"]], dtype=bool),
        }
    )


def grid_rows(grid: pd.DataFrame, edited: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of an edited grid that differ from the grid as drawn (new rows too), as plan_teams takes them.

    Rows are named by their place in the grid (Row 1 is the first). A new row with nothing in it is ignored.
    """
    drawn = {int(row["id"]): row for row in grid.to_dict("records")}
    rows = []
    for number, row in enumerate(edited.to_dict("records"), start=1):
        team_id = None if blank(row.get("id")) else int(row["id"])
        values = {
            "name": row.get("Team"),
            "parent": row.get("Parent team"),
            "headcount": row.get("Headcount"),
            "code": row.get("Code"),
            "archived": bool(row.get("Archived")) if not blank(row.get("Archived")) else False,
        }
        if team_id is None:
            if all(blank(value) or value is False for value in values.values()):
                continue
        else:
            before = drawn.get(team_id, {})
            same = (
                _same(values["name"], before.get("Team"))
                and _same(values["parent"], before.get("Parent team"))
                and _same(values["headcount"], before.get("Headcount"))
                and _same(values["code"], before.get("Code"))
                and values["archived"] == bool(before.get("Archived"))
            )
            if same:
                continue
        rows.append({"row": f"Row {number}", "id": team_id, **values})
    return rows


def _same(a: Any, b: Any) -> bool:
    if blank(a) and blank(b):
        return True
    if blank(a) or blank(b):
        return False
    return str(a).strip() == str(b).strip() if isinstance(a, str) or isinstance(b, str) else bool(a == b)


# The org file ------------------------------------------------------------------------------------


@dataclass
class OrgFile:
    """An org file read: a row per team (file row numbers), which columns it had, which it left out."""

    rows: list[dict[str, Any]]
    problems: list[str]
    columns: dict[str, str]
    """Field -> the file's heading it was read from."""
    ignored_columns: list[str]


def read_org_file(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> OrgFile:
    """Read a CSV or XLSX of teams (team, parent team, headcount; optional team code); ImportRejected if unreadable.

    Headings match ignoring case, spaces, underscores and hyphens, under the synonyms of ORG_HEADERS.
    A blank row is skipped; a blank parent means the top level; a blank headcount or code keeps what is
    stored. The same team (by code, else by name key) twice in the file is a problem naming both rows.
    """
    survey = read_survey(data, file_name, limits=limits)
    keys = [heading_key(header) for header in survey.headers]
    columns: dict[str, int] = {}
    for field_name, synonyms in ORG_HEADERS.items():
        wanted = [heading_key(synonym) for synonym in synonyms]
        found = next(
            (keys.index(key) for key in wanted if key in keys and keys.index(key) not in columns.values()), None
        )
        if found is not None:
            columns[field_name] = found
    if "name" not in columns:
        listed = ", ".join(header for header in survey.headers if header) or "none"
        raise ImportRejected(
            f"{file_name} needs a column naming each team (Team), with Parent team and Headcount beside it; "
            f"its columns are: {listed}."
        )
    ignored = [header for position, header in enumerate(survey.headers) if header and position not in columns.values()]
    rows, problems = [], []
    first_by_key: dict[str, int] = {}
    first_by_code: dict[str, int] = {}
    for chunk in survey.chunks():
        for number, cells in zip(chunk.index, chunk.itertuples(index=False), strict=True):
            values = {field_name: cells[position] for field_name, position in columns.items()}
            if all(blank(value) for value in values.values()):
                continue
            row: dict[str, Any] = {"row": f"Row {number}", "name": values["name"]}
            if "parent" in columns:
                row["parent"] = values["parent"]
            if "headcount" in columns and not blank(values["headcount"]):
                row["headcount"] = values["headcount"]
            if "code" in columns and not blank(values["code"]):
                row["code"] = values["code"]
            code = _code(row.get("code"))
            key = names.key(values["name"])
            if code is not None and code in first_by_code:
                problems.append(f"Row {number}, code: {code!r} is already on row {first_by_code[code]} of the file.")
                continue
            if key and key in first_by_key:
                problems.append(
                    f"Row {number}, team: {names.tidy(values['name'])!r} is already on row {first_by_key[key]} of the "
                    "file: give each team once."
                )
                continue
            if code is not None:
                first_by_code[code] = int(number)
            if key:
                first_by_key[key] = int(number)
            rows.append(row)
    headings = {field_name: survey.headers[position] for field_name, position in columns.items()}
    return OrgFile(rows, problems, headings, ignored)


def match_teams(teams: pd.DataFrame, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The org file's rows with the stored team each one means: by code first, then by name key."""
    by_code = {
        str(code): int(team_id) for team_id, code in zip(teams["id"], teams["code"], strict=True) if not blank(code)
    }
    by_key = {names.key(name): int(team_id) for team_id, name in zip(teams["id"], teams["name"], strict=True)}
    name_of = {int(team_id): str(name) for team_id, name in zip(teams["id"], teams["name"], strict=True)}
    matched = []
    for row in rows:
        code = _code(row.get("code"))
        team_id = by_code.get(code) if code is not None else None
        if team_id is None and (team_id := by_key.get(names.key(row.get("name")))) is not None:
            row = {**row, "name": name_of[team_id]}  # the same name as stored, however the file spells it
        matched.append({**row, "id": team_id})
    return matched


# Merges ----------------------------------------------------------------------------------------


MOVED_TABLES = ("responses", "team_results", "champions", "actions", "cx_outcomes", "sponsor_activities", "children")
"""What a merge moves from one team to the other, in the order its summary names them."""


def check_merge(teams: pd.DataFrame, from_id: Any, into_id: Any) -> tuple[str, str]:
    """The names of the team merged away and the one it goes into; ValueError where they cannot merge.

    Both must be active teams of the workspace and different, and the team kept may not be below the
    one merged away (its children would then report to themselves).
    """
    by_id = {int(row["id"]): row for row in teams.to_dict("records")}
    for value in (from_id, into_id):
        if blank(value) or int(value) not in by_id:
            raise ValueError(f"Nothing was merged: there is no team with id {shown(value)} in this workspace.")
    source, target = by_id[int(from_id)], by_id[int(into_id)]
    if int(from_id) == int(into_id):
        raise ValueError(f"Nothing was merged: choose two different teams ({source['name']} was chosen twice).")
    for row in (source, target):
        if not blank(row.get("archived_on")):
            raise ValueError(f"Nothing was merged: {row['name']} is archived; bring it back first.")
    node = target.get("parent_id")
    while not blank(node):
        if int(node) == int(from_id):
            raise ValueError(
                f"Nothing was merged: {target['name']} is below {source['name']}; merge {target['name']} into "
                f"{source['name']} instead, or move it first."
            )
        node = by_id[int(node)].get("parent_id")
    return str(source["name"]), str(target["name"])


def merge_clashes(
    from_name: str, into_name: str, results: Iterable[tuple[str, str]], outcomes: Iterable[tuple[str, str]]
) -> list[str]:
    """Why two teams cannot merge: both have an entered result for one wave and element, or a CX figure for one
    period and measure (the kept team may hold one per key). `results` are (wave, element) pairs both teams
    have, `outcomes` (period, metric) pairs."""
    problems = []
    for kind, keys, fix in (
        ("entered results", [f"{wave} {element}" for wave, element in results], "under Import & entry"),
        ("CX figures", [f"{period} {metric}" for period, metric in outcomes], "under CX outcomes"),
    ):
        if keys:
            listed = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
            problems.append(
                f"{from_name} and {into_name} both have {kind} for {listed}: the team kept can hold one of each, "
                f"so remove one team's {fix} first."
            )
    return problems


def merged_headcount(from_headcount: Any, into_headcount: Any) -> int | None:
    """The kept team's headcount after a merge: both teams' people (a missing one counts as unknown, not 0)."""
    known = [int(value) for value in (from_headcount, into_headcount) if not blank(value)]
    return sum(known) if known else None


def merge_summary(from_name: str, into_name: str, moved: Mapping[str, Any]) -> str:
    """One sentence on what a merge moved (or, undone, moved back)."""
    labels = {
        "responses": ("response", "responses"),
        "team_results": ("entered result", "entered results"),
        "champions": ("champion", "champions"),
        "actions": ("action", "actions"),
        "cx_outcomes": ("CX figure", "CX figures"),
        "sponsor_activities": ("sponsor activity", "sponsor activities"),
        "children": ("team below it", "teams below it"),
    }
    parts = [plural(len(moved.get(kind, [])), *labels[kind]) for kind in MOVED_TABLES if moved.get(kind)]
    what = ", ".join(parts) if parts else "nothing but its name"
    return f"{from_name} into {into_name}: {what}."


# Initiatives and waves ---------------------------------------------------------------------------


def check_title(value: Any, what: str) -> str:
    """An initiative's or wave's name, tidied; ValueError where blank or longer than NAME_LENGTH."""
    text = names.tidy(value)
    if not text:
        raise ValueError(f"Give the {what} a name.")
    if len(text) > NAME_LENGTH:
        raise ValueError(f"A {what} name may have at most {NAME_LENGTH} characters; {text[:40]!r}… has {len(text)}.")
    return text


def check_person(value: Any, what: str) -> str | None:
    """An owner's or sponsor's name (and role), spaces tidied; None where blank."""
    text = names.tidy(value)
    if not text:
        return None
    if len(text) > NAME_LENGTH:
        raise ValueError(f"{what}: {text[:40]!r}… has {len(text)} characters; keep it to {NAME_LENGTH}.")
    return text


def check_date(value: Any, what: str, required: bool) -> str | None:
    """A date as YYYY-MM-DD (from a date or ISO text); ValueError naming the value where it is none."""
    if blank(value):
        if required:
            raise ValueError(f"{what}: give a date (YYYY-MM-DD).")
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"{what}: {shown(value)} is not a date; write it as YYYY-MM-DD.") from None


def check_wave(
    name: Any, opens: Any, closes: Any, other_names: Iterable[str], initiative: str
) -> dict[str, str | None]:
    """A wave's name, opening date (required) and closing date (optional, not before opening), checked.

    `other_names` are the initiative's other waves: a name is used once per initiative (ignoring case
    and spaces). Raises ValueError with one sentence naming the value.
    """
    clean = check_title(name, "wave")
    opened_on = check_date(opens, f"Wave {clean}, opening date", required=True)
    closes_on = check_date(closes, f"Wave {clean}, closing date", required=False)
    if closes_on is not None and closes_on < opened_on:
        raise ValueError(f"Wave {clean}: it cannot close on {closes_on}, before it opens on {opened_on}.")
    if names.key(clean) in {names.key(other) for other in other_names}:
        raise ValueError(f"{initiative} already has a wave called {clean}: choose another name.")
    return {"name": clean, "opened_on": opened_on, "closes_on": closes_on}
