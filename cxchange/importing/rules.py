"""DESIGN.md's row rules, as a plan: what would happen to every row of a survey, before anything is written."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from cxchange import names
from cxchange.importing.matching import (
    ColumnMatch,
    find_team_column,
    match_columns,
    normalise,
    read_answer,
    statement,
    suggest,
)
from cxchange.importing.reading import (
    TEST_CHANNELS,
    TEST_STATUSES,
    ImportRejected,
    Survey,
    date_format,
    earliest_date,
)
from cxchange.model import ELEMENT_LABELS, ELEMENTS, OUTCOME
from cxchange.text import plural

COMMENT_HEADERS = re.compile(
    r"\b(comment|comments|anything else|tell us|suggestion|suggestions|feedback|other thoughts)\b"
)

OUTCOMES = {
    "imported": "imported",
    "incomplete": "imported, kept out of the scores: not every ADKAR element answered",
    "blank": "skipped: blank row",
    "duplicate": "skipped: already imported in this wave",
    "duplicate in file": "skipped: the same response as an earlier row (the same response id)",
    "test": "left out: a survey preview/test response",
    "unfinished": "left out: an unfinished response (Finished is False)",
    "no team": "skipped: no team given",
    "no answers": "skipped: no question-bank item answered",
}

PROBLEMS = {"out of scale": "outside the 1–5 scale", "not applicable": "a non-answer (not applicable)"}

IGNORE = "ignore"
"""A mapping's target for a column that is no ADKAR item (also written "not an ADKAR item")."""

TARGET_ALIASES = {"not an adkar item": IGNORE, IGNORE: IGNORE}

ITEM_PREFIX = {"awareness": "AW", "desire": "DE", "knowledge": "KN", "ability": "AB", "reinforcement": "RE"} | {
    OUTCOME: "OC"
}
"""The code prefix of each element's items: a new item of an element is its prefix and the next free number."""

UNFINISHED = {"false", "0"}


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
    """What the user told us: columns to item codes, to an element (a new item in the company's wording) or to
    "ignore"; labels to values; the file's team spellings to team names (an existing team, another spelling of
    the file, or the spelling itself for a new team); the team column; whether to keep test responses."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, int | None] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    team_column: str | None = None
    keep_test_responses: bool = False

    @classmethod
    def from_json(cls, text: str) -> ImportMapping:
        """Read a saved mapping; raises ValueError saying what is wrong with it."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as problem:
            raise ValueError(f"The mapping file is not valid JSON ({problem}).") from None
        if not isinstance(data, dict):
            raise ValueError("The mapping file must hold a JSON object with columns, labels and teams.")
        unknown = set(data) - {"columns", "labels", "teams", "team_column", "keep_test_responses"}
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
        if not isinstance(data.get("keep_test_responses", False), bool):
            raise ValueError("The mapping file's keep_test_responses must be true or false.")
        return cls(
            columns=dict(data.get("columns", {})),
            labels=dict(data.get("labels", {})),
            teams=dict(data.get("teams", {})),
            team_column=data.get("team_column"),
            keep_test_responses=data.get("keep_test_responses", False),
        )

    def with_choices(
        self,
        columns: Mapping[str, str] | None = None,
        labels: Mapping[str, int | None] | None = None,
        teams: Mapping[str, str] | None = None,
        team_column: str | None = None,
        keep_test_responses: bool | None = None,
    ) -> ImportMapping:
        """This mapping with more of the user's choices: columns, labels and teams added, the team column and
        the test-response switch replaced where given; this one stays as it is."""
        return ImportMapping(
            columns={**self.columns, **(columns or {})},
            labels={**self.labels, **(labels or {})},
            teams={**self.teams, **(teams or {})},
            team_column=self.team_column if team_column is None else team_column,
            keep_test_responses=self.keep_test_responses if keep_test_responses is None else keep_test_responses,
        )

    def to_json(self) -> str:
        """The mapping as saved for reuse (and as the command line's --mapping reads it)."""
        return json.dumps(
            {
                "columns": self.columns,
                "labels": self.labels,
                "teams": self.teams,
                "team_column": self.team_column,
                "keep_test_responses": self.keep_test_responses,
            },
            indent=2,
            ensure_ascii=False,
        )


class NoTeamColumn(ImportRejected):
    """No column names the respondents' teams: the user picks one of `headers` (the page offers them)."""

    def __init__(self, message: str, headers: list[str]):
        super().__init__(message)
        self.headers = headers

    def __reduce__(self) -> tuple:
        return type(self), (str(self), self.headers)


@dataclass
class Chunk:
    """What the row rules decided for one chunk of rows: the rows to store and their answers."""

    responses: pd.DataFrame  # row, team, source_hash, comment, complete; indexed by row number
    values: pd.DataFrame  # one column per item code, on the same index


@dataclass
class Plan:
    """Everything an import does (or would do), built chunk by chunk, for the preview and the report.

    `outcomes` lists every row that is not simply imported (skipped, left out, or kept out of the scores);
    every other data row is imported as a complete response. Nothing here is written until the import.
    """

    tool: str
    headers: list[str]
    matches: list[ColumnMatch]
    team_column: str
    comment_column: str | None
    team_index: int
    comment_index: int | None
    element_of: dict[str, str]
    metadata: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    suggestions: dict[str, tuple[str, float]] = field(default_factory=dict)  # header -> (item code, score)
    new_items: list[dict] = field(default_factory=list)  # code, element, text, header: items the import adds
    new_aliases: dict[str, str] = field(default_factory=dict)  # a column's wording -> the item it was mapped to
    adkar_items: int = 0  # active ADKAR items in the bank
    keep_test_responses: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_labels: dict[str, list[str]] = field(default_factory=dict)
    new_teams: list[str] = field(default_factory=list)
    teams: dict[str, list[int]] = field(default_factory=dict)  # team -> [complete, incomplete]
    file_hashes: dict[str, int] = field(default_factory=dict)  # source hash -> the row that brought it
    spellings: dict[str, int] = field(default_factory=dict)  # team as the file spells it (tidied) -> rows
    spelling_team: dict[str, str] = field(default_factory=dict)  # spelling -> the team its rows go to
    team_questions: dict[str, list[str]] = field(default_factory=dict)  # spelling -> the names it looks like
    team_refusals: dict[str, str] = field(default_factory=dict)  # spelling -> why it cannot be a team (row named)
    in_other_waves: Counter = field(default_factory=Counter)  # another wave of the initiative -> its responses
    key_counts: Counter = field(default_factory=Counter)  # a response's content key -> rows so far
    earliest: date | None = None
    date_format: str | None = None
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
        """Rows not stored at all (blank, duplicate, left out, no team, no answers)."""
        return sum(1 for outcome in self.outcomes if outcome.outcome != "incomplete")

    def missing_elements(self) -> list[str]:
        """The ADKAR elements no matched column measures, in ADKAR order."""
        covered = {self.element_of[m.item_code] for m in self.matches}
        return [element for element in ELEMENTS if element not in covered]

    def coverage(self) -> str:
        """How the file covers the ADKAR elements: "15 of 15 ADKAR items matched", or what a shorter
        survey covers, or which element has no item."""
        matched = sum(1 for m in self.matches if self.element_of[m.item_code] in ELEMENTS and m.how != "new item")
        added = sum(1 for item in self.new_items if item["element"] in ELEMENTS)
        line = f"{matched} of {self.adkar_items} ADKAR items matched" + (
            f", {plural(added, 'new ADKAR item')} in the company's wording" if added else ""
        )
        missing = self.missing_elements()
        if missing:
            return f"{line}; no item for {_listed(ELEMENT_LABELS[e] for e in missing)}"
        if matched == self.adkar_items and not added:
            return line
        return f"{line}; every element covered by at least one item"

    def blockers(self, file_name: str) -> list[str]:
        """Why the file cannot be imported as it is, one sentence each (empty when it can)."""
        found = []
        missing = [ELEMENT_LABELS[element] for element in self.missing_elements()]
        if missing:
            if len(missing) == 1:
                what = f"map one of the file's columns to a {missing[0]} item or mark it as a new {missing[0]} item"
            else:
                what = "map a column of the file to an item of each, or mark a column as a new item of that element"
            found.append(f"No column measures {_listed(missing, 'or')}: {what}.")
        found += list(self.team_refusals.values())
        for spelling, alike in self.team_questions.items():
            found.append(
                f"The team {spelling!r} in the file looks like {_listed(map(repr, alike), 'or')} without being "
                f"it: say whether it is that team or a new one (in the team grid, or a mapping's "
                f'"teams": {{"{spelling}": "{alike[0]}"}}).'
            )
        complete = self.counts().get("imported", 0)
        if not complete and not missing:
            counts = self.counts()
            reasons = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
            found.append(
                f"0 complete responses: no row of {file_name} answers every ADKAR element ({reasons}), "
                "so there is nothing to score: see the rows reported."
            )
        return found

    def resolved_mapping(self, mapping: ImportMapping | None = None) -> ImportMapping:
        """The mapping that reproduces this plan on the next file of the survey: every column it resolved
        (by text too), the columns it ignored, the team column and every team spelling."""
        mapping = mapping or ImportMapping()
        columns = {m.header: m.item_code for m in self.matches if m.how != "new item"}
        columns |= {item["header"]: item["element"] for item in self.new_items}
        columns |= dict.fromkeys(self.ignored, IGNORE)
        return ImportMapping(
            columns=columns,
            labels=dict(mapping.labels),
            teams=dict(self.spelling_team),
            team_column=self.team_column,
            keep_test_responses=self.keep_test_responses,
        )

    def finish(self, file_name: str) -> None:
        """Drop blank rows after the last filled one (spreadsheets pad with them); refuse a file without data."""
        self.outcomes = [o for o in self.outcomes if not (o.outcome == "blank" and o.row > self.last_filled_row)]
        self.problems.sort(key=lambda problem: (problem.row, problem.column))
        if not self.last_filled_row:
            raise ImportRejected(
                f"{file_name} has column headings but no responses: check the export's filters and export it again."
            )


def _listed(words, conjunction: str = "and") -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def start_plan(
    survey: Survey,
    items: pd.DataFrame,
    mapping: ImportMapping | None = None,
    aliases: Mapping[str, str] | None = None,
    team_headers: Iterable[str] = (),
) -> Plan:
    """Match the columns (items by the mapping, then by text through items and aliases; new items where the
    mapping names an element; the team and comment columns); raises ImportRejected where the file cannot be
    used at all. `items` is the bank (code, element, text, active), `aliases` other wordings -> item code,
    `team_headers` the team columns users chose in earlier imports (tried where no header is team-like)."""
    mapping = mapping or ImportMapping()
    aliases = dict(aliases or {})
    bank = dict(zip(items["code"], items["text"], strict=True))
    element_of = dict(zip(items["code"], items["element"], strict=True))
    targets = {header: _target(target, bank) for header, target in mapping.columns.items()}
    unknown = sorted({target for target, kind in targets.values() if kind is None})
    if unknown:
        raise ImportRejected(
            f"The mapping names questions that are not in the bank: {', '.join(unknown)}; "
            f"use item codes such as {', '.join(list(bank)[:3])}, an element such as awareness, or ignore."
        )
    by_code = {header: target for header, (target, kind) in targets.items() if kind == "item"}
    by_element = {header.strip(): target for header, (target, kind) in targets.items() if kind == "element"}
    ignored = {header.strip() for header, (_, kind) in targets.items() if kind == IGNORE}
    metadata = set(survey.metadata)
    skip = metadata | {i for i, header in enumerate(survey.headers) if header.strip() in ignored | set(by_element)}
    matches = match_columns(survey.headers, bank, by_code, aliases, skip)

    # A column mapped to an element is that element's item of the same wording where the bank has one,
    # else a new item in the company's wording (its code: the element's prefix and the next free number).
    normal = {normalise(text): code for text, code in [*((t, c) for c, t in bank.items()), *aliases.items()]}
    taken = {m.item_code for m in matches}
    numbers = Counter()
    new_items = []
    for column, header in enumerate(survey.headers):
        element = by_element.get(header.strip())
        if element is None or column in metadata:
            continue
        text = statement(header)
        same = normal.get(normalise(text))
        if same is not None and element_of[same] == element and same not in taken:
            matches.append(ColumnMatch(column, header, same, "normalised"))
            taken.add(same)
            continue
        prefix = ITEM_PREFIX[element]
        used = [int(code[len(prefix) :]) for code in bank if code.startswith(prefix) and code[len(prefix) :].isdigit()]
        numbers[prefix] += 1
        code = f"{prefix}{max(used, default=0) + numbers[prefix]}"
        new_items.append({"code": code, "element": element, "text": text, "header": header})
        element_of[code] = element
        matches.append(ColumnMatch(column, header, code, "new item"))
    matches.sort(key=lambda match: match.column)
    new_aliases = {}
    for match in matches:
        text = statement(match.header)
        if match.how == "mapping" and normalise(text) not in normal:
            new_aliases[text] = match.item_code

    team_index = find_team_column(survey.headers, mapping.team_column, metadata)
    if team_index is None and mapping.team_column is not None:
        team_index = find_team_column(survey.column_ids, mapping.team_column)
    if team_index is None and mapping.team_column is None:
        learnt = {normalise(header) for header in team_headers}
        team_index = next(
            (i for i, header in enumerate(survey.headers) if i not in metadata and normalise(header) in learnt), None
        )
    offered = [header for i, header in enumerate(survey.headers) if i not in metadata and header]
    if team_index is None:
        wanted = f"called {mapping.team_column!r} " if mapping.team_column else ""
        raise NoTeamColumn(
            f"No team column {wanted}was found: choose the column that names each respondent's team "
            "(--team-column), or name it 'Team'.",
            offered,
        )
    matched = {m.column for m in matches} | {team_index} | skip
    comment_index = next(
        (i for i, h in enumerate(survey.headers) if i not in matched and COMMENT_HEADERS.search(normalise(h))), None
    )
    used = matched | {comment_index}
    left = {h: statement(h) for i, h in enumerate(survey.headers) if i not in used and h.strip()}
    active = items[items["active"].astype(bool)] if "active" in items else items
    wordings = dict(zip(active["text"], active["code"], strict=True)) | {
        text: code for text, code in aliases.items() if code in set(active["code"])
    }
    return Plan(
        tool=survey.tool,
        headers=survey.headers,
        matches=matches,
        team_column=survey.headers[team_index],
        comment_column=None if comment_index is None else survey.headers[comment_index],
        team_index=team_index,
        comment_index=comment_index,
        element_of=element_of,
        metadata=[survey.headers[i] for i in sorted(metadata)],
        ignored=[h for i, h in enumerate(survey.headers) if h.strip() in ignored and i not in metadata],
        suggestions=suggest(left, wordings),
        new_items=new_items,
        new_aliases=new_aliases,
        adkar_items=int(active["element"].isin(ELEMENTS).sum()),
        keep_test_responses=mapping.keep_test_responses,
    )


def _target(target: str, bank: Mapping[str, str]) -> tuple[str, str | None]:
    """What a mapping's column target is: ("AW1", "item"), ("awareness", "element"), ("ignore", "ignore"),
    or (target, None) for a name that is none of these."""
    text = target.strip()
    if text in bank:
        return text, "item"
    if text.lower() in ITEM_PREFIX:
        return text.lower(), "element"
    if text.lower() in TARGET_ALIASES:
        return IGNORE, IGNORE
    return text, None


def plan_chunk(
    plan: Plan,
    survey: Survey,
    grid: pd.DataFrame,
    team_names: list[str],
    in_wave: set[str],
    mapping: ImportMapping | None = None,
    elsewhere: Mapping[str, str] | None = None,
    archived: Iterable[str] = (),
) -> Chunk:
    """Apply the row rules to one chunk of rows, adding what happens to `plan`.

    `in_wave` holds the source hashes already in the wave; the plan remembers those of the file's
    earlier chunks. `elsewhere` maps the source hashes of the initiative's other waves to the wave's name.
    `archived` names the archived teams: a file's spelling of one is refused, not made a new team.
    Vectorised over columns: each distinct cell text is read once.
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
    if survey.timestamp_column is not None:
        stamps = grid[survey.timestamp_column][~blank]
        plan.date_format = plan.date_format or date_format(stamps)
        found = earliest_date(stamps, plan.date_format)
        if found is not None and (plan.earliest is None or found < plan.earliest):
            plan.earliest = found
    spelled = _tidy_teams(text[team_index])
    teams = spelled.map(_resolve_teams(plan, spelled, blank, team_names, mapping, archived))
    answered = values.notna().any(axis=1)
    hashes = _source_hashes(plan, survey, text, values, spelled, blank)
    outcome = pd.Series("imported", index=grid.index, dtype=object)
    outcome[~answered] = "no answers"
    outcome[teams.isna()] = "no team"
    if not plan.keep_test_responses:
        outcome[_unfinished(survey, text)] = "unfinished"
        outcome[_tests(survey, text)] = "test"
    outcome[blank] = "blank"
    candidate = outcome.eq("imported")
    earlier = _member(hashes, in_wave)
    outcome[candidate & earlier] = "duplicate"
    fresh = candidate & ~earlier
    repeated = _member(hashes, plan.file_hashes) | (hashes.where(fresh).duplicated() & hashes.notna())
    outcome[fresh & repeated] = "duplicate in file"
    first_row = {h: int(r) for r, h in hashes[fresh & ~repeated].items()}
    kept = outcome.eq("imported")
    if elsewhere:
        others = hashes[kept].map(elsewhere).dropna()
        plan.in_other_waves.update(others.value_counts().to_dict())
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
    existing = {names.key(name) for name in team_names}
    for team, group in responses.groupby("team")["complete"]:
        counts = plan.teams.setdefault(team, [0, 0])
        counts[0] += int(group.sum())
        counts[1] += int((~group).sum())
        if names.key(team) not in existing and team not in plan.new_teams:
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


def _tidy_teams(column: pd.Series) -> pd.Series:
    """The team column as names.tidy writes names, each distinct spelling tidied once ("" where empty)."""
    codes, uniques = pd.factorize(column)
    tidied = np.array([names.tidy(value) for value in uniques] + [""], dtype=object)
    return pd.Series(tidied[codes], index=column.index, dtype=object)


def _resolve_teams(
    plan: Plan,
    spelled: pd.Series,
    blank: pd.Series,
    team_names: list[str],
    mapping: ImportMapping,
    archived: Iterable[str] = (),
) -> dict[str, str | None]:
    """The team of each spelling in the chunk: the user's choice, else the existing team of that key, else
    the file's first spelling of that key; a lookalike of another team is asked about, a bad name or the
    name of an archived team refused."""
    existing = {names.key(name): name for name in team_names}
    retired = {names.key(name): name for name in archived}
    new_keys = {names.key(team): team for team in plan.spelling_team.values() if names.key(team) not in existing}
    by_shape: dict[str, list[str]] = {}  # what names look like -> the names: lookalikes are looked up, not scanned
    for name in [*existing.values(), *new_keys.values()]:
        by_shape.setdefault(names.skeleton(name), []).append(name)
    chosen = {names.key(spelling): target for spelling, target in mapping.teams.items()}
    counts = spelled[~blank & spelled.ne("")].value_counts()
    firsts = spelled[~blank].drop_duplicates()
    first_row = dict(zip(firsts.to_numpy(), firsts.index, strict=True))
    resolved: dict[str, str | None] = {"": None}
    for spelling, rows in counts.items():
        plan.spellings[spelling] = plan.spellings.get(spelling, 0) + int(rows)
        if spelling in plan.spelling_team:
            resolved[spelling] = plan.spelling_team[spelling]
            continue
        key = names.key(spelling)
        target, asked = spelling, key not in chosen
        for _ in range(3):  # "Comptabilite" -> "COMPTABILITÉ" -> "Finance": follow the user's chain a little
            if names.key(target) not in chosen or names.key(chosen[names.key(target)]) == names.key(target):
                target = chosen.get(names.key(target), target)
                break
            target = chosen[names.key(target)]
        target = names.tidy(target)
        team = existing.get(names.key(target)) or new_keys.get(names.key(target)) or target
        if names.key(team) not in existing and names.key(team) not in new_keys:
            refusal = names.refusal(team)
            if names.key(team) in retired:
                plan.team_refusals[spelling] = (
                    f"Row {first_row[spelling]}, column {plan.team_column!r}: {retired[names.key(team)]} is an "
                    "archived team: bring it back under Settings → Organisation, or send its rows to another team "
                    "in the team grid or a mapping's teams."
                )
            elif refusal:
                plan.team_refusals[spelling] = (
                    f"Row {first_row[spelling]}, column {plan.team_column!r}: {refusal.rstrip('.')} (map it to a "
                    "shorter team name in the team grid or a mapping's teams)."
                )
            elif asked and (alike := names.lookalikes(team, by_shape.get(names.skeleton(team), []))):
                plan.team_questions[spelling] = alike
            new_keys[names.key(team)] = team
            by_shape.setdefault(names.skeleton(team), []).append(team)
        plan.spelling_team[spelling] = resolved[spelling] = team
    return resolved


def _tests(survey: Survey, text: pd.DataFrame) -> pd.Series:
    """Rows that are a survey preview, a test or spam (Qualtrics' Status and DistributionChannel)."""
    found = pd.Series(False, index=text.index)
    if survey.status_column is not None:
        found |= text[survey.status_column].str.lower().isin(TEST_STATUSES)
    if survey.channel_column is not None:
        found |= text[survey.channel_column].str.lower().isin(TEST_CHANNELS)
    return found


def _unfinished(survey: Survey, text: pd.DataFrame) -> pd.Series:
    """Rows the respondent left before the end (Qualtrics' Finished False or 0)."""
    if survey.finished_column is None:
        return pd.Series(False, index=text.index)
    return text[survey.finished_column].str.lower().isin(UNFINISHED)


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


def _source_hashes(
    plan: Plan, survey: Survey, text: pd.DataFrame, values: pd.DataFrame, teams: pd.Series, blank: pd.Series
) -> pd.Series:
    """Per row, a hash of the response's identity, which never depends on the file's columns or headers.

    With the tool's response id: the id, with the row's timestamp where the tool numbers responses per form
    (Microsoft Forms' ID 1, 2, 3 with its Start time). Without one: the answers by item code, the team,
    the comment and the timestamp, and which occurrence of that content in the file the row is (the 1st,
    2nd, …): identical rows are different people, and a re-export with columns added or moved and responses
    appended gives the earlier rows the same identities. Only the hash is stored, never the id (an e-mail
    or a name in some tools).
    """
    stamp = text[survey.timestamp_column] if survey.timestamp_column is not None else pd.Series("", index=text.index)
    ids = text[survey.id_column] if survey.id_column is not None else pd.Series("", index=text.index)
    scoped = not survey.global_ids and survey.timestamp_column is not None
    keys = "id:" + ids + "@" + stamp if scoped else "id:" + ids
    content = ids.eq("") & ~blank
    if content.any():
        rows = content[content].index
        answers = _answer_keys(values.loc[rows])
        comment = text[plan.comment_index].loc[rows] if plan.comment_index is not None else ""
        body = teams.loc[rows].map(names.key) + "\x1f" + comment + "\x1f" + stamp.loc[rows] + "\x1f" + answers
        occurrence = body.groupby(body, sort=False).cumcount() + 1 + body.map(plan.key_counts).fillna(0).astype(int)
        plan.key_counts.update(body.value_counts().to_dict())
        keys = keys.astype(object)
        keys.loc[rows] = "content:" + body + "#" + occurrence.astype(str)
    digests = [hashlib.sha256(key.encode()).hexdigest() for key in keys]
    return pd.Series(np.array(digests, dtype=object), index=text.index, dtype=object)


def _answer_keys(values: pd.DataFrame) -> pd.Series:
    """Each row's answers as "AW1=4,AW2=5,…" in item-code order, unanswered items left out (so a column
    added or removed without answers, or moved, changes nothing)."""
    pieces = []
    for code in sorted(values.columns):
        table = np.array(["", *(f"{code}={value}," for value in range(1, 6))], dtype=object)
        pieces.append(table[np.nan_to_num(values[code].to_numpy(dtype=float), nan=0).astype(int)])
    if not pieces:
        return pd.Series("", index=values.index, dtype=object)
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined + piece
    return pd.Series(joined, index=values.index, dtype=object)
