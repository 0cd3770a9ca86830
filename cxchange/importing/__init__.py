"""Survey import: read any supported export, apply the row rules, write one batch in one transaction."""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlite_utils import Database

from cxchange import db as store
from cxchange import scoring
from cxchange.importing.reading import CHUNK_ROWS, ImportRejected, Survey, read_survey
from cxchange.importing.rules import Chunk, ImportMapping, Plan, plan_chunk, start_plan
from cxchange.readiness import default_initiative
from cxchange.text import plural

__all__ = [
    "ImportMapping",
    "ImportRejected",
    "ImportResult",
    "UnmappedLabels",
    "import_survey",
    "question_set_csv",
]

DEFAULT_INITIATIVE = "Customer experience programme"


class UnmappedLabels(ImportRejected):
    """Answers that are neither on the scale nor mapped: the user maps them, nothing is dropped silently."""

    def __init__(self, labels: dict[str, list[str]]):
        self.labels = labels
        listed = "; ".join(f'"{label}" (in {plural(len(columns), "column")})' for label, columns in labels.items())
        super().__init__(
            f"Some answers are not on the 1–5 agreement scale: {listed}. Map each to a value (1–5, or null for "
            'missing) in the import wizard or a mapping file, e.g. {"labels": {"' + next(iter(labels)) + '": 4}}.'
        )


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    file_name: str
    tool: str
    wave: str
    initiative: str
    plan: Plan | None
    batch_id: int | None = None
    already_imported: dict | None = None
    created: list[str] = field(default_factory=list)
    dry_run: bool = False
    nothing_new: bool = False

    @property
    def written(self) -> bool:
        return self.batch_id is not None

    def report_lines(self) -> list[str]:
        """What happened to every row, as the CLI prints it."""
        if self.already_imported:
            earlier = self.already_imported
            return [
                f"{self.file_name} was already imported into {self.wave} on {earlier['imported_at'][:16]} "
                f"(batch {earlier['id']}): nothing changed."
            ]
        if self.nothing_new:
            return [f"Every response in {self.file_name} is already in wave {self.wave}: nothing changed."] + [
                f"  Row {o.row}: {o.reason}" for o in self.plan.outcomes
            ]
        plan = self.plan
        verb = "Would import" if self.dry_run else "Imported"
        counts = plan.counts()
        lines = [
            f"{verb} {self.file_name} ({plan.tool} export) into wave {self.wave} of {self.initiative}:",
            f"  {counts.get('imported', 0)} complete responses, {counts.get('incomplete', 0)} incomplete "
            f"(kept out of the scores), {plan.rows_skipped} "
            "rows skipped.",
            f"  Columns: team from {plan.team_column!r}; {len(plan.matches)} question-bank items matched"
            + (f"; comments from {plan.comment_column!r}" if plan.comment_column else "")
            + ".",
        ]
        lines += [f"  {line}" for line in self.created]
        for team in plan.per_team().itertuples():
            lines.append(f"  Team {team.team}: {team.complete} complete, {team.incomplete} incomplete")
        for outcome in plan.outcomes:
            lines.append(f"  Row {outcome.row}: {outcome.reason}" + (f" ({outcome.team})" if outcome.team else ""))
        lines.append(f"  Every other row: {'would be ' if self.dry_run else ''}imported as a complete response.")
        for problem in plan.problems:
            lines.append(
                f"  Row {problem.row}, column {problem.column!r}: {problem.value!r} is {problem.reason}; "
                "treated as missing."
            )
        if self.dry_run:
            lines.append("  Dry run: nothing was written.")
        return lines


def import_survey(
    db: Database,
    data: bytes,
    file_name: str,
    wave: str,
    initiative: str | None = None,
    mapping: ImportMapping | None = None,
    dry_run: bool = False,
    imported_by: str | None = None,
    today: date | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportResult:
    """Import one survey export as one batch, or say why not (ImportRejected); a dry run writes nothing.

    Unknown teams, a new wave or initiative are created (and said so). Re-importing the same file into
    the same wave changes nothing.
    """
    if not wave.strip():
        raise ImportRejected("Give the wave a name (e.g. 2027 Q1): responses belong to a wave.")
    wave = wave.strip()
    survey = read_survey(data, file_name, chunk_rows)
    today = today or date.today()
    try:
        return _import(db, survey, data, file_name, wave, initiative, mapping, dry_run, imported_by, today)
    except _NothingNew as nothing:
        nothing.result.nothing_new = True
        return nothing.result


class _NothingNew(Exception):
    """Every response of the file is already in the wave: roll back the (empty) batch, report no change."""

    def __init__(self, result: ImportResult):
        super().__init__("nothing new")
        self.result = result


def _import(
    db: Database,
    survey: Survey,
    data: bytes,
    file_name: str,
    wave: str,
    initiative: str | None,
    mapping: ImportMapping | None,
    dry_run: bool,
    imported_by: str | None,
    today: date,
) -> ImportResult:
    """import_survey's work inside its one transaction."""
    file_hash = hashlib.sha256(data).hexdigest()
    # A dry run only reads (no write lock), so a preview never holds up other people's saves.
    with store.write_transaction(db, commit=not dry_run, immediate=not dry_run):
        initiative_name, initiative_id, created = _initiative(db, initiative, today, create=not dry_run)
        wave_id = store.wave_id(db, initiative_id, wave) if initiative_id is not None else None
        if wave_id is not None and (earlier := store.batch_with_hash(db, wave_id, file_hash)):
            return ImportResult(file_name, survey.tool, wave, initiative_name, None, already_imported=earlier)
        items = store.items(db)
        plan = start_plan(survey, items, mapping)
        seen = store.source_hashes(db, wave_id) if wave_id is not None else set()
        if wave_id is None:
            created.append(f"Created wave {wave}.")
            if not dry_run:
                wave_id = store.add_wave(db, initiative_id, wave, today.isoformat())
        batch_id = None if dry_run else _add_batch(db, file_name, file_hash, wave_id, imported_by)
        team_ids = dict(zip(*store.teams(db)[["name", "id"]].T.values, strict=True))
        for grid in survey.chunks():
            chunk = plan_chunk(plan, survey, grid, list(team_ids), seen, mapping)
            if not dry_run and not plan.unknown_labels and not chunk.responses.empty:
                team_ids |= store.add_teams(db, [t for t in chunk.responses["team"].unique() if t not in team_ids])
                _write_chunk(db, chunk, items, team_ids, wave_id, batch_id)
        plan.finish(file_name)
        if plan.unknown_labels:
            raise UnmappedLabels(plan.unknown_labels)  # rolls back whatever was written
        if not plan.teams:
            counts = plan.counts()
            if counts.get("duplicate") and set(counts) <= {"duplicate", "duplicate in file", "blank"}:
                raise _NothingNew(ImportResult(file_name, survey.tool, wave, initiative_name, plan, dry_run=dry_run))
            reasons = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
            raise ImportRejected(f"No row of {file_name} can be imported ({reasons}): see the rows reported.")
        if batch_id is not None:
            store.record_batch_outcomes(db, batch_id, _recorded(plan))
        created += [f"Created team {name}." for name in plan.new_teams]
        result = ImportResult(file_name, survey.tool, wave, initiative_name, plan, created=created, dry_run=dry_run)
        result.batch_id = batch_id
    return result


def _initiative(db: Database, name: str | None, today: date, create: bool = True) -> tuple[str, int | None, list[str]]:
    """The initiative to import into (the default one where none is named), created where new."""
    if name is None:
        found = default_initiative(db)
        if found is not None:
            names = store.initiatives(db).set_index("id")["name"]
            return str(names[found]), found, []
        name = DEFAULT_INITIATIVE
    found = store.initiative_id(db, name)
    if found is not None:
        return name, found, []
    return name, store.add_initiative(db, name, today.isoformat()) if create else None, [f"Created initiative {name}."]


def _add_batch(db: Database, file_name: str, file_hash: str, wave_id: int, imported_by: str | None) -> int:
    return store.add_batch(
        db,
        {
            "file_name": file_name,
            "file_hash": file_hash,
            "wave_id": wave_id,
            "kind": "responses",
            "imported_by": imported_by or getpass.getuser(),
            "imported_at": datetime.now().isoformat(timespec="seconds"),
        },
    )


def _recorded(plan: Plan) -> str:
    """The batch's row outcomes: counts, the rows not simply imported, the answers reported."""
    return json.dumps(
        {
            "counts": plan.counts(),
            "rows": [asdict(o) for o in plan.outcomes],
            "problems": [asdict(p) for p in plan.problems],
            "note": "every data row not listed under rows was imported as a complete response",
        },
        ensure_ascii=False,
    )


def _write_chunk(
    db: Database, chunk: Chunk, items: pd.DataFrame, team_ids: dict[str, int], wave_id: int, batch_id: int
) -> None:
    """Store one chunk's responses: element scores and answers JSON computed here, one row each."""
    first = store.next_response_id(db)
    ids = pd.RangeIndex(first, first + len(chunk.responses), name="response_id")
    values = chunk.values.set_axis(ids)
    scores = scoring.element_scores_wide(values, items)
    responses = pd.DataFrame(
        {
            "id": ids,
            "wave_id": wave_id,
            "team_id": chunk.responses["team"].map(team_ids).to_numpy(),
            "batch_id": batch_id,
            "source_hash": chunk.responses["source_hash"].to_numpy(),
            "is_champion": 0,
            "comment": chunk.responses["comment"].to_numpy(),
            "answers": store.encode_answers(values).to_numpy(),
            "complete": scores["complete"].astype(int).to_numpy(),
            **{column: scores[column].to_numpy() for column in (*scoring.STAT_COLUMNS, "outcome")},
        }
    )
    store.insert_responses(db, responses)


def question_set_csv(items: pd.DataFrame) -> bytes:
    """A CSV whose headers are the team column, the question bank's wording and a comment column.

    A survey built from it (or a spreadsheet filled in under it) imports with no mapping at all.
    """
    headers = ["Team", *items.loc[items["active"] == 1, "text"], "Anything else you want to tell us?"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(headers)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
