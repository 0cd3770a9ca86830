"""The champion roster from a CSV or Excel file, as one import batch: preview every row, all or nothing, undoable.

The survey import's safety rules hold: a dry run says what happens to every row; a bad row (blank
alias, unknown team, a date that is no date, an end before the start) is named by row, column and
value, and then nothing is written; a champion already in the roster (same alias, team and start)
is skipped as a duplicate; the same file twice changes nothing; undo removes the batch whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from cxchange import champions as rules
from cxchange.importing.reading import DEFAULT_LIMITS, ImportRejected, Limits, read_survey
from cxchange.text import agree, blank, heading_key, plural

HEADERS: dict[str, tuple[str, ...]] = {
    "alias": ("alias", "name", "champion", "championname", "nameoralias"),
    "team": ("team", "teamname"),
    "started_on": ("start", "started", "startedon", "startdate", "from"),
    "ended_on": ("end", "ended", "endedon", "enddate", "until", "to"),
}
"""The columns a roster file may have, under the headings people write (compared without case, spaces, _ or -)."""

OUTCOMES: dict[str, str] = {
    "add": "will be added",
    "blank": "skipped: blank row",
    "duplicate": "skipped: already in the roster (same name, team and start)",
    "duplicate in file": "skipped: the same champion as an earlier row",
    "error": "error",
}


@dataclass(frozen=True)
class RosterRow:
    """What happens to one row of the file: its number as the user sees it, what it holds, and why."""

    row: int
    alias: str
    team: str
    started_on: str
    ended_on: str
    outcome: str
    reason: str


@dataclass
class RosterFile:
    """A roster file as read: which column holds each field, and each data row's raw cells by field."""

    file_name: str
    columns: dict[str, str]
    """Field (alias, team, started_on, ended_on) -> the file's heading for it."""
    rows: list[tuple[int, dict[str, object]]]
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class RosterPlan:
    """What importing the file would do: an outcome for every row, the problems that stop it, the rows to add."""

    rows: list[RosterRow]
    problems: list[str]
    additions: list[dict]

    def counts(self) -> dict[str, int]:
        """How many rows have each outcome (add, duplicate, duplicate in file, blank, error)."""
        found: dict[str, int] = {}
        for row in self.rows:
            found[row.outcome] = found.get(row.outcome, 0) + 1
        return found

    def table(self) -> pd.DataFrame:
        """Every row and what happens to it, for the preview."""
        return pd.DataFrame(
            {
                "Row": [r.row for r in self.rows],
                "Name or alias": [r.alias for r in self.rows],
                "Team": [r.team for r in self.rows],
                "Start": [r.started_on for r in self.rows],
                "End": [r.ended_on for r in self.rows],
                "What happens": [r.reason for r in self.rows],
            },
            columns=["Row", "Name or alias", "Team", "Start", "End", "What happens"],
        )


@dataclass
class RosterImport:
    """What an import did, or on a dry run or with problems would do: nothing was written unless `batch_id`."""

    file_name: str
    plan: RosterPlan | None
    batch_id: int | None = None
    already_imported: dict | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return self.batch_id is not None

    def summary(self) -> str:
        """One sentence on the whole file."""
        if self.already_imported:
            earlier = self.already_imported
            return (
                f"{self.file_name} was already imported on {earlier['imported_at'][:16].replace('T', ' ')} "
                f"(batch {earlier['id']}): nothing changed."
            )
        counts = self.plan.counts()
        if self.plan.problems:
            count = len(self.plan.problems)
            return (
                f"Nothing can be imported from {self.file_name} until "
                f"{agree(count, 'this problem is', f'these {count} problems are')} fixed."
            )
        skipped = sum(counts.get(kind, 0) for kind in ("duplicate", "duplicate in file", "blank"))
        added = counts.get("add", 0)
        if not added:
            return f"Every champion in {self.file_name} is already in the roster: nothing changed."
        verb = "Imported" if self.written else "Would import"
        batch = f" as batch {self.batch_id}" if self.written else ""
        return f"{verb} {plural(added, 'champion')} from {self.file_name}{batch}; {plural(skipped, 'row')} skipped."


def read_roster(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> RosterFile:
    """Read a roster file (CSV in any encoding and separator the survey import reads, or .xlsx).

    Raises ImportRejected where it cannot be read or lacks a name, team or start column.
    """
    survey = read_survey(data, file_name, limits=limits)
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    for position, header in enumerate(survey.headers):
        key = heading_key(header)
        for wanted, names in HEADERS.items():
            if key in names:
                if wanted in columns:
                    raise ImportRejected(
                        f"{file_name} has two columns for the {rules.FIELD_LABELS[wanted].lower()}: "
                        f"{columns[wanted]!r} and {header!r}; keep one."
                    )
                columns[wanted], positions[wanted] = header, position
    missing = [rules.FIELD_LABELS[f].lower() for f in ("alias", "team", "started_on") if f not in columns]
    if missing:
        raise ImportRejected(
            f"{file_name} needs a column for the {', '.join(missing)} (headings such as name, team, start, end); "
            f"its columns are: {', '.join(h for h in survey.headers if h) or 'none'}."
        )
    used = set(positions.values())
    ignored = [header for position, header in enumerate(survey.headers) if header and position not in used]
    rows = []
    for chunk in survey.chunks():
        for number, cells in zip(chunk.index, chunk.itertuples(index=False), strict=True):
            rows.append((int(number), {wanted: cells[position] for wanted, position in positions.items()}))
    return RosterFile(file_name, columns, rows, ignored)


def plan_roster(found: RosterFile, teams: Mapping[str, int], existing: pd.DataFrame) -> RosterPlan:
    """What would happen to every row of `found`, against the workspace's teams (name -> id) and roster.

    `existing` is the roster (alias, team_id, started_on). Every bad cell is a problem naming its
    row, column and value; a duplicate of the roster or of an earlier row is skipped with its row.
    """
    stored = {
        rules.roster_key(alias, team, start)
        for alias, team, start in zip(existing["alias"], existing["team_id"], existing["started_on"], strict=True)
    }
    first_row: dict[tuple, int] = {}
    rows, problems, additions = [], [], []
    for number, cells in found.rows:
        shown = [_shown(cells.get(name)) for name in rules.FIELD_LABELS]

        def outcome(kind: str, reason: str, number: int = number, shown: list = shown) -> RosterRow:
            return RosterRow(number, *shown, kind, reason)

        if all(blank(value) for value in cells.values()):
            rows.append(outcome("blank", OUTCOMES["blank"]))
            continue
        row, found_problems = rules.check_champion(
            cells.get("alias"), cells.get("team"), cells.get("started_on"), cells.get("ended_on"), teams
        )
        if found_problems:
            messages = [f"Row {number}, {found.columns[p.field]}: {p.message}" for p in found_problems]
            problems += messages
            rows.append(outcome("error", "error: " + " ".join(m.split(": ", 1)[1] for m in messages)))
            continue
        key = rules.roster_key(row["alias"], row["team_id"], row["started_on"])
        if key in stored:
            rows.append(outcome("duplicate", OUTCOMES["duplicate"]))
        elif key in first_row:
            rows.append(outcome("duplicate in file", f"skipped: the same champion as row {first_row[key]}"))
        else:
            first_row[key] = number
            additions.append(row)
            rows.append(outcome("add", OUTCOMES["add"]))
    return RosterPlan(rows, problems, additions)


def _shown(value: object) -> str:
    if blank(value):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    return str(value).strip()


def template_csv() -> bytes:
    """An empty roster file to fill in: a row per champion under name, team, start, end (dates as YYYY-MM-DD)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["name", "team", "start", "end"])
    return out.getvalue().encode("utf-8-sig")
