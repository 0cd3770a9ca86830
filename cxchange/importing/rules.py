"""DESIGN.md's row rules, as a plan: what would happen to every row of a survey, before anything is written."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from cxchange.importing.matching import ColumnMatch, find_team_column, match_columns, normalise, read_answer
from cxchange.importing.reading import ImportRejected, Survey
from cxchange.model import ELEMENTS

COMMENT_HEADERS = re.compile(
    r"\b(comment|comments|anything else|tell us|suggestion|suggestions|feedback|other thoughts)\b"
)

OUTCOMES = {
    "imported": "imported",
    "incomplete": "imported, kept out of the scores: not every ADKAR element answered",
    "blank": "skipped: blank row",
    "duplicate": "skipped: already imported in this wave",
    "duplicate in file": "skipped: the same response appears earlier in the file",
    "no team": "skipped: no team given",
    "no answers": "skipped: no question-bank item answered",
}

PROBLEMS = {"out of scale": "outside the 1–5 scale", "not applicable": "a non-answer (not applicable)"}


@dataclass(frozen=True)
class RowOutcome:
    """What happens to one row: its row number in the file, outcome key, reason and team."""

    row: int
    outcome: str
    reason: str
    team: str | None = None


@dataclass(frozen=True)
class Problem:
    """An answer reported and treated as missing: row, column header, the value, why."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportMapping:
    """What the user told us: columns to item codes, labels to values, file teams to existing teams."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, int | None] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    team_column: str | None = None

    @classmethod
    def from_json(cls, text: str) -> ImportMapping:
        """Read a saved mapping; raises ValueError saying what is wrong with it."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as problem:
            raise ValueError(f"The mapping file is not valid JSON ({problem}).") from None
        if not isinstance(data, dict):
            raise ValueError("The mapping file must hold a JSON object with columns, labels and teams.")
        unknown = set(data) - {"columns", "labels", "teams", "team_column"}
        if unknown:
            raise ValueError(f"The mapping file has unknown keys: {', '.join(sorted(unknown))}.")
        return cls(
            columns=dict(data.get("columns", {})),
            labels=dict(data.get("labels", {})),
            teams=dict(data.get("teams", {})),
            team_column=data.get("team_column"),
        )

    def to_json(self) -> str:
        """The mapping as saved for reuse."""
        return json.dumps(
            {"columns": self.columns, "labels": self.labels, "teams": self.teams, "team_column": self.team_column},
            indent=2,
            ensure_ascii=False,
        )


@dataclass
class Plan:
    """Everything an import would do, for the preview and for the write."""

    tool: str
    matches: list[ColumnMatch]
    team_column: str
    comment_column: str | None
    outcomes: list[RowOutcome]
    problems: list[Problem]
    unknown_labels: dict[str, list[str]]
    new_teams: list[str]
    responses: pd.DataFrame
    answers: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """How many rows end in each outcome."""
        return dict(Counter(outcome.outcome for outcome in self.outcomes))

    def per_team(self) -> pd.DataFrame:
        """Rows imported per team, complete and incomplete."""
        rows = [o for o in self.outcomes if o.outcome in ("imported", "incomplete")]
        frame = pd.DataFrame([{"team": o.team, "outcome": o.outcome} for o in rows], columns=["team", "outcome"])
        table = pd.crosstab(frame["team"], frame["outcome"]).reindex(columns=["imported", "incomplete"], fill_value=0)
        return table.rename(columns={"imported": "complete"}).reset_index()

    @property
    def skipped(self) -> list[RowOutcome]:
        """Rows not imported, or imported but kept out of the scores."""
        return [o for o in self.outcomes if o.outcome != "imported"]


def plan_import(
    survey: Survey,
    items: pd.DataFrame,
    team_names: list[str],
    existing_hashes: set[str],
    mapping: ImportMapping | None = None,
) -> Plan:
    """Apply the row rules to every row of `survey`; raises ImportRejected where the file cannot be used."""
    mapping = mapping or ImportMapping()
    bank = dict(zip(items["code"], items["text"], strict=True))
    element_of = dict(zip(items["code"], items["element"], strict=True))
    matches = match_columns(survey.headers, bank, mapping.columns)
    if not any(element_of[m.item_code] in ELEMENTS for m in matches):
        raise ImportRejected(
            "No column matches a question of the ADKAR question bank: build the survey from the question-set "
            "file, or map the columns to questions."
        )
    team_index = find_team_column(survey.headers, mapping.team_column)
    if team_index is None and mapping.team_column is not None:
        team_index = find_team_column(survey.column_ids, mapping.team_column)
    if team_index is None:
        wanted = f"called {mapping.team_column!r} " if mapping.team_column else ""
        raise ImportRejected(f"No team column {wanted}was found: name the column 'Team' or choose it (--team-column).")
    coded = sorted(
        {str(cells[team_index]).strip() for _, cells in survey.rows if team_index < len(cells)}
        - {"", "None"}
        - set(mapping.teams)
    )
    if coded and all(re.fullmatch(r"\d+(\.0)?", code) for code in coded):
        raise ImportRejected(
            f"The team column {survey.headers[team_index]!r} holds numbers ({', '.join(coded[:5])}), not team names, "
            "as tools write when exporting numeric values: export with choice text, or map each number to a team "
            '(e.g. "teams": {"' + coded[0] + '": "Stores North"}).'
        )
    matched = {m.column for m in matches} | {team_index}
    comment_index = next(
        (i for i, h in enumerate(survey.headers) if i not in matched and COMMENT_HEADERS.search(normalise(h))), None
    )

    unknown: dict[str, list[str]] = {}
    for match in matches:
        for _, cells in survey.rows:
            cell = cells[match.column] if match.column < len(cells) else None
            if read_answer(cell, mapping.labels).problem == "unknown label":
                columns = unknown.setdefault(str(cell).strip(), [])
                if match.header not in columns:
                    columns.append(match.header)

    known_teams = {normalise(name): name for name in team_names}
    outcomes, problems, responses, answers, new_teams = [], [], [], [], []
    seen: set[str] = set()
    for row_number, cells in survey.rows:
        cells = cells + [None] * (len(survey.headers) - len(cells))
        if all(cell is None or not str(cell).strip() for cell in cells):
            outcomes.append(RowOutcome(row_number, "blank", OUTCOMES["blank"]))
            continue
        row_answers = {}
        for match in matches:
            answer = read_answer(cells[match.column], mapping.labels)
            if answer.problem in PROBLEMS:
                problems.append(
                    Problem(row_number, match.header, str(cells[match.column]).strip(), PROBLEMS[answer.problem])
                )
            if answer.value is not None:
                row_answers[match.item_code] = answer.value
        team = _team(cells[team_index], mapping.teams, known_teams)
        if team is None:
            outcomes.append(RowOutcome(row_number, "no team", OUTCOMES["no team"]))
            continue
        if not row_answers:
            outcomes.append(RowOutcome(row_number, "no answers", OUTCOMES["no answers"], team))
            continue
        comment = None if comment_index is None else _comment(cells[comment_index])
        source_hash = _source_hash(survey, cells)
        if source_hash in existing_hashes:
            outcomes.append(RowOutcome(row_number, "duplicate", OUTCOMES["duplicate"], team))
            continue
        if source_hash in seen:
            outcomes.append(RowOutcome(row_number, "duplicate in file", OUTCOMES["duplicate in file"], team))
            continue
        seen.add(source_hash)
        answered = {element_of[code] for code in row_answers}
        complete = all(element in answered for element in ELEMENTS)
        outcome = "imported" if complete else "incomplete"
        outcomes.append(RowOutcome(row_number, outcome, OUTCOMES[outcome], team))
        if normalise(team) not in known_teams and team not in new_teams:
            new_teams.append(team)
        responses.append({"row": row_number, "team": team, "source_hash": source_hash, "comment": comment})
        answers.extend({"row": row_number, "item_code": code, "value": value} for code, value in row_answers.items())

    return Plan(
        tool=survey.tool,
        matches=matches,
        team_column=survey.headers[team_index],
        comment_column=None if comment_index is None else survey.headers[comment_index],
        outcomes=outcomes,
        problems=problems,
        unknown_labels=unknown,
        new_teams=new_teams,
        responses=pd.DataFrame(responses, columns=["row", "team", "source_hash", "comment"]),
        answers=pd.DataFrame(answers, columns=["row", "item_code", "value"]),
    )


def _team(cell: object, renames: Mapping[str, str], known: Mapping[str, str]) -> str | None:
    """The team a row belongs to: the user's renaming, else the existing team of that name, else as written."""
    name = "" if cell is None else " ".join(str(cell).split())
    if not name:
        return None
    name = renames.get(name, name)
    return known.get(normalise(name), name)


def _comment(cell: object) -> str | None:
    """Free text as text; a formula-like start stays characters, never a formula (exports neutralise it)."""
    text = "" if cell is None else str(cell).strip()
    return text or None


def _source_hash(survey: Survey, cells: list[object]) -> str:
    """A hash of the tool's response id, or of the row's whole content where the file has no id.

    Only the hash is stored: the id itself (often an e-mail or a name in some tools) never is.
    """
    if survey.id_column is not None and cells[survey.id_column] not in (None, ""):
        key = f"id:{str(cells[survey.id_column]).strip()}"
    else:
        key = "content:" + json.dumps([" ".join(str(c).split()) if c is not None else "" for c in cells])
    return hashlib.sha256(key.encode()).hexdigest()
