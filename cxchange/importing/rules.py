"""DESIGN.md's row rules, as a plan: what would happen to every row of a survey, before anything is written."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
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
    "duplicate in file": "skipped: the same response as an earlier row",
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
        for key in ("columns", "labels", "teams"):
            part = data.get(key, {})
            if not isinstance(part, dict) or not all(isinstance(name, str) for name in part):
                raise ValueError(f'The mapping file\'s {key} must be an object of names, e.g. {{"…": …}}.')
        for name, target in {**data.get("columns", {}), **data.get("teams", {})}.items():
            if not isinstance(target, str) or not target.strip():
                raise ValueError(f"The mapping file maps {name!r} to {target!r}: give a name or an item code.")
        for label, value in data.get("labels", {}).items():
            if value is not None and (isinstance(value, bool) or value not in range(1, 6)):
                raise ValueError(
                    f"The mapping file's label {label!r} must map to a value from 1 to 5 or null, not {value!r}."
                )
        if data.get("team_column") is not None and not isinstance(data["team_column"], str):
            raise ValueError("The mapping file's team_column must be a column header.")
        return cls(
            columns=dict(data.get("columns", {})),
            labels=dict(data.get("labels", {})),
            teams=dict(data.get("teams", {})),
            team_column=data.get("team_column"),
        )

    def with_choices(
        self,
        columns: Mapping[str, str] | None = None,
        labels: Mapping[str, int | None] | None = None,
        teams: Mapping[str, str] | None = None,
        team_column: str | None = None,
    ) -> ImportMapping:
        """This mapping with more of the user's choices: columns, labels and teams added, the team column
        replaced where one is given; this one stays as it is."""
        return ImportMapping(
            columns={**self.columns, **(columns or {})},
            labels={**self.labels, **(labels or {})},
            teams={**self.teams, **(teams or {})},
            team_column=self.team_column if team_column is None else team_column,
        )

    def to_json(self) -> str:
        """The mapping as saved for reuse."""
        return json.dumps(
            {"columns": self.columns, "labels": self.labels, "teams": self.teams, "team_column": self.team_column},
            indent=2,
            ensure_ascii=False,
        )


@dataclass
class Chunk:
    """What the row rules decided for one chunk of rows: the rows to store and their answers."""

    responses: pd.DataFrame  # row, team, source_hash, comment, complete; indexed by row number
    values: pd.DataFrame  # one column per item code, on the same index


@dataclass
class Plan:
    """Everything an import does (or would do), built chunk by chunk, for the preview and the report.

    `outcomes` lists every row that is not simply imported (skipped, or kept out of the scores);
    every other data row is imported as a complete response.
    """

    tool: str
    headers: list[str]
    matches: list[ColumnMatch]
    team_column: str
    comment_column: str | None
    team_index: int
    comment_index: int | None
    element_of: dict[str, str]
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_labels: dict[str, list[str]] = field(default_factory=dict)
    new_teams: list[str] = field(default_factory=list)
    teams: dict[str, list[int]] = field(default_factory=dict)  # team -> [complete, incomplete]
    file_hashes: dict[str, int] = field(default_factory=dict)  # source hash -> the row that brought it
    spellings: dict[str, str] = field(default_factory=dict)  # a new team's normalised name -> its first spelling
    last_filled_row: int = 0

    def counts(self) -> dict[str, int]:
        """How many rows end in each outcome ("imported" for complete responses)."""
        complete = sum(counts[0] for counts in self.teams.values())
        return dict(Counter(outcome.outcome for outcome in self.outcomes)) | (
            {"imported": complete} if complete else {}
        )

    def per_team(self) -> pd.DataFrame:
        """Responses to be stored per team: complete and incomplete."""
        return pd.DataFrame(
            [{"team": team, "complete": c, "incomplete": i} for team, (c, i) in sorted(self.teams.items())],
            columns=["team", "complete", "incomplete"],
        )

    @property
    def rows_skipped(self) -> int:
        """Rows not stored at all (blank, duplicate, no team, no answers)."""
        return sum(1 for outcome in self.outcomes if outcome.outcome != "incomplete")

    def finish(self, file_name: str) -> None:
        """Drop blank rows after the last filled one (spreadsheets pad with them); refuse a file without data."""
        self.outcomes = [o for o in self.outcomes if not (o.outcome == "blank" and o.row > self.last_filled_row)]
        self.problems.sort(key=lambda problem: (problem.row, problem.column))
        if not self.last_filled_row:
            raise ImportRejected(
                f"{file_name} has column headings but no responses: check the export's filters and export it again."
            )


def start_plan(survey: Survey, items: pd.DataFrame, mapping: ImportMapping | None = None) -> Plan:
    """Match the columns (items, team, comments); raises ImportRejected where the file cannot be used."""
    mapping = mapping or ImportMapping()
    bank = dict(zip(items["code"], items["text"], strict=True))
    element_of = dict(zip(items["code"], items["element"], strict=True))
    unknown_codes = sorted(set(mapping.columns.values()) - set(bank))
    if unknown_codes:
        raise ImportRejected(
            f"The mapping names questions that are not in the bank: {', '.join(unknown_codes)}; "
            f"use item codes such as {', '.join(list(bank)[:3])}."
        )
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
    matched = {m.column for m in matches} | {team_index}
    comment_index = next(
        (i for i, h in enumerate(survey.headers) if i not in matched and COMMENT_HEADERS.search(normalise(h))), None
    )
    return Plan(
        tool=survey.tool,
        headers=survey.headers,
        matches=matches,
        team_column=survey.headers[team_index],
        comment_column=None if comment_index is None else survey.headers[comment_index],
        team_index=team_index,
        comment_index=comment_index,
        element_of=element_of,
    )


def plan_chunk(
    plan: Plan,
    survey: Survey,
    grid: pd.DataFrame,
    team_names: list[str],
    in_wave: set[str],
    mapping: ImportMapping | None = None,
) -> Chunk:
    """Apply the row rules to one chunk of rows, adding what happens to `plan`.

    `in_wave` holds the source hashes already in the wave; the plan remembers those of the file's
    earlier chunks. Vectorised over columns: each distinct cell text is read once.
    """
    mapping = mapping or ImportMapping()
    team_index, comment_index, element_of = plan.team_index, plan.comment_index, plan.element_of
    _refuse_coded_teams(grid[team_index], survey.headers[team_index], mapping)

    values = {}
    for match in plan.matches:
        column = grid[match.column]
        codes, cells = pd.factorize(column)
        read = {cell: read_answer(cell, mapping.labels) for cell in cells}
        decoded = np.array([read[cell].value for cell in cells] + [None], dtype=float)
        values[match.item_code] = decoded[codes]  # code -1 (an empty cell) picks the trailing None
        for cell, answer in read.items():
            if answer.problem == "unknown label":
                columns = plan.unknown_labels.setdefault(str(cell).strip(), [])
                if match.header not in columns:
                    columns.append(match.header)
            elif answer.problem in PROBLEMS:
                plan.problems += [
                    Problem(int(row), match.header, str(cell).strip(), PROBLEMS[answer.problem])
                    for row in column.index[column == cell]
                ]
    values = pd.DataFrame(values, index=grid.index)

    text = pd.DataFrame({column: _clean_column(grid[column]) for column in grid.columns}, index=grid.index)
    blank = text.eq("").all(axis=1)
    if (~blank).any():
        plan.last_filled_row = int(blank.index[~blank].max())
    existing = {normalise(name) for name in team_names}
    known = {normalise(name): name for name in team_names} | plan.spellings
    resolved = {}
    for raw in text[team_index].unique():
        team = _team(raw, mapping.teams, known)
        if team is not None and normalise(team) not in known:
            known[normalise(team)] = plan.spellings[normalise(team)] = team  # "Sales", "sales", "Sales." are one
        resolved[raw] = team
    teams = text[team_index].map(resolved)
    answered = values.notna().any(axis=1)
    hashes = _source_hashes(survey, text)
    outcome = pd.Series("imported", index=grid.index, dtype=object)
    outcome[~answered] = "no answers"
    outcome[teams.isna()] = "no team"
    outcome[blank] = "blank"
    candidate = outcome.eq("imported")
    earlier = _member(hashes, in_wave)
    outcome[candidate & earlier] = "duplicate"
    fresh = candidate & ~earlier
    repeated = _member(hashes, plan.file_hashes) | (hashes.where(fresh).duplicated() & hashes.notna())
    outcome[fresh & repeated] = "duplicate in file"
    first_row = {h: int(r) for r, h in hashes[fresh & ~repeated].items()}
    kept = outcome.eq("imported")
    answered_elements = {
        element: values[[c for c in values.columns if element_of[c] == element]].notna().any(axis=1)
        for element in ELEMENTS
    }
    complete = pd.concat(answered_elements, axis=1).all(axis=1)
    outcome[kept & ~complete] = "incomplete"

    listed = outcome[outcome.ne("imported")]
    plan.outcomes += [
        RowOutcome(
            int(row),
            kind,
            OUTCOMES[kind]
            + (
                f" (row {plan.file_hashes.get(hashes[row], first_row.get(hashes[row]))})"
                if kind == "duplicate in file"
                else ""
            ),
            None if kind in ("blank", "no team") else teams[row],
        )
        for row, kind in listed.items()
    ]
    responses = pd.DataFrame(
        {
            "row": grid.index[kept],
            "team": teams[kept].to_numpy(),
            "source_hash": hashes[kept].to_numpy(),
            "comment": text[comment_index][kept].replace("", None).to_numpy() if comment_index is not None else None,
            "complete": complete[kept].to_numpy(),
        },
        index=grid.index[kept],
    )
    plan.file_hashes.update(zip(responses["source_hash"].tolist(), responses.index.tolist(), strict=True))
    for team, group in responses.groupby("team")["complete"]:
        counts = plan.teams.setdefault(team, [0, 0])
        counts[0] += int(group.sum())
        counts[1] += int((~group).sum())
        if normalise(team) not in existing and team not in plan.new_teams:
            plan.new_teams.append(team)
    return Chunk(responses=responses, values=values[kept])


def _clean(cell: object) -> str:
    """A cell as text with its spacing tidied ("" for an empty cell)."""
    return "" if cell is None or (isinstance(cell, float) and cell != cell) else " ".join(str(cell).split())


def _clean_column(column: pd.Series) -> pd.Series:
    """A column as tidied text: CSV strings trimmed in Arrow, Excel cells tidied once per distinct value."""
    if pd.api.types.is_string_dtype(column) and not pd.api.types.is_object_dtype(column):
        return column.str.strip()
    codes, uniques = pd.factorize(column)
    results = np.array([_clean(value) for value in uniques] + [""], dtype=object)
    return pd.Series(results[codes], index=column.index, dtype=object)


def _member(values: pd.Series, known: set[str] | dict[str, int]) -> pd.Series:
    """Which values are in `known`, by hash lookup (isin would copy a million known hashes per chunk)."""
    return pd.Series(np.fromiter((value in known for value in values), bool, len(values)), index=values.index)


def _refuse_coded_teams(column: pd.Series, header: str, mapping: ImportMapping) -> None:
    """Numeric team codes (as numeric exports write them) cannot be guessed: they must be mapped."""
    coded = sorted({str(cell).strip() for cell in column.dropna().unique()} - {""} - set(mapping.teams))
    if coded and all(re.fullmatch(r"\d+(\.0)?", code) for code in coded):
        raise ImportRejected(
            f"The team column {header!r} holds numbers ({', '.join(coded[:5])}), not team names, "
            "as tools write when exporting numeric values: export with choice text, or map each number to a team "
            '(e.g. "teams": {"' + coded[0] + '": "Stores North"}).'
        )


def _team(name: str, renames: Mapping[str, str], known: Mapping[str, str]) -> str | None:
    """The team a row belongs to: the user's renaming, else the existing team of that name, else as written."""
    if not name:
        return None
    name = " ".join(name.split())
    name = renames.get(name, name)
    return known.get(normalise(name), name)


GLOBAL_IDS = {"ResponseId", "Respondent ID"}
"""Ids the survey tools make unique across surveys (Qualtrics, SurveyMonkey); others count 1, 2, 3 per form."""


def _id_scope(survey: Survey) -> str:
    """What makes a response id unique: nothing for global ids, else the form's columns (its questions)."""
    if survey.column_ids[survey.id_column] in GLOBAL_IDS:
        return ""
    return hashlib.sha256(json.dumps(survey.headers).encode()).hexdigest()[:16] + ":"


def _source_hashes(survey: Survey, text: pd.DataFrame) -> pd.Series:
    """Per row, a hash of the tool's response id, or of the row's whole content where the file has none.

    Only the hash is stored: the id itself (an e-mail or a name in some tools) never is.
    """
    ids = text[survey.id_column].to_numpy(object) if survey.id_column is not None else np.full(len(text), "")
    scope = _id_scope(survey) if survey.id_column is not None else ""
    keys = [f"id:{scope}{value}" if value else None for value in ids]
    missing = [i for i, key in enumerate(keys) if key is None]
    if missing:
        rows = text.iloc[missing].to_numpy(object)
        for i, row in zip(missing, rows, strict=True):
            keys[i] = "content:" + json.dumps([str(cell) for cell in row], ensure_ascii=False)
    digests = [hashlib.sha256(key.encode()).hexdigest() for key in keys]
    return pd.Series(np.array(digests, dtype=object), index=text.index, dtype=object)
