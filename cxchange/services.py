"""Use cases: one function each, that loads what it needs, checks it with the pure rules and writes it
in one transaction. The only caller of the store's writes; the app and the command line call these.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange import actions, champions, exports, health, kotter, readiness, sample_data, scoring, store
from cxchange.hierarchy import ORGANISATION, ORGANISATION_LABEL, subtree_members
from cxchange.importing import DEFAULT_INITIATIVE, ImportResult, UnmappedLabels
from cxchange.importing.reading import CHUNK_ROWS, ImportRejected, Survey, date_format, earliest_date, read_survey
from cxchange.importing.roster import RosterImport, plan_roster, read_roster
from cxchange.importing.rules import Chunk, ImportMapping, Plan, plan_chunk, start_plan
from cxchange.outcomes import OutcomeImport, change_counts, changes, empty_outcomes, read_outcomes
from cxchange.settings import SETTINGS_BY_NAME
from cxchange.text import plural

# Workspace and settings ----------------------------------------------------------------------


def save_settings(db: Database, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and store declared settings; raises ValueError naming the first bad one, storing none."""
    checked = {}
    for name, value in values.items():
        if name not in SETTINGS_BY_NAME:
            raise ValueError(f"There is no setting called {name!r}.")
        checked[name] = SETTINGS_BY_NAME[name].check(value)
    with store.write_transaction(db):
        store.settings.save_settings(db, checked)
    return store.settings.settings(db)


def clear_workspace(db: Database) -> None:
    """Delete the organisation's data (teams, surveys, logs), keeping settings and the question bank."""
    with store.write_transaction(db):
        store.clear_data(db)
        store.settings.set_workspace_kind(db, "own")


def write_demo(db: Database, seed: int = sample_data.DEFAULT_SEED) -> None:
    """Replace the workspace's data with the demo organisation, in one transaction."""
    demo = sample_data.demo(seed)
    with store.write_transaction(db):
        store.clear_data(db)
        for table, rows, pk in demo.tables:
            store.insert_rows(db, table, rows, pk=pk)
        encoded = store.responses.encode_answers(demo.answers).rename("answers")
        store.responses.insert_responses(db, demo.responses.merge(encoded, left_on="id", right_index=True))
        store.settings.set_workspace_kind(db, "demo")


def restore_backup(db: Database, source: str | Path) -> None:
    """Replace the whole database with the backup at `source`."""
    store.restore(db, source)


def save_mapping(db: Database, name: str, mapping_json: str) -> None:
    """Keep an import mapping under a name for the next file from the same survey; raises ImportRejected
    (one sentence) for a blank name or a mapping that does not read."""
    if not (name or "").strip():
        raise ImportRejected("Give the mapping a name to save it under (e.g. Pulse survey 2027).")
    try:
        ImportMapping.from_json(mapping_json)
    except ValueError as problem:
        raise ImportRejected(str(problem)) from None
    with store.write_transaction(db):
        store.settings.save_mapping(db, name.strip(), mapping_json)


# Readiness -----------------------------------------------------------------------------------


def default_initiative(db: Database) -> int | None:
    """The initiative views open on: the first one that has survey waves, else the first one."""
    return readiness.default_initiative(store.org.waves(db), store.org.initiatives(db))


def team_stats(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """The one query behind every readiness view: per wave, team and respondent group, plus entries."""
    return readiness.team_stats(
        store.responses.team_wave_stats(db, initiative_id, by_group=True),
        store.responses.team_result_stats(db, initiative_id),
    )


def readiness_by_team(
    db: Database, settings: dict[str, Any], initiative_id: int | None = None, group: str = "all"
) -> pd.DataFrame:
    """Every team's (and the organisation's) readiness per wave, ready to show (readiness.figures)."""
    return readiness.figures(
        team_stats(db, initiative_id), store.org.teams(db), store.org.waves(db, initiative_id), settings, group
    )


def readiness_report(db: Database, wave_name: str | None = None, initiative_id: int | None = None) -> dict:
    """The `readiness --json` document of the latest or named wave (readiness.report_json)."""
    settings = store.settings.settings(db)
    initiative_id = initiative_id if initiative_id is not None else default_initiative(db)
    waves = store.org.waves(db, initiative_id)
    return readiness.report_json(readiness_by_team(db, settings, initiative_id), waves, settings, wave_name)


def team_comments(db: Database, settings: dict[str, Any], wave_id: int, team_id: int) -> tuple[list[str], str]:
    """A team's free-text comments of a wave (its subtree's), and a sentence saying what is shown.

    Comments come only from teams that have at least the comment minimum of responses themselves,
    so neither a small team nor the difference between a parent and its children can be read.
    """
    minimum = int(settings["min_comment_group_size"])
    members = subtree_members(store.org.teams(db))
    ids = members.loc[members["ancestor_id"] == team_id, "team_id"].tolist()
    return readiness.comments_shown(store.responses.comments(db, wave_id, ids, minimum), minimum)


def report_ids(db: Database, initiative: str, wave: str, team: str | None = None) -> tuple[int, int, int]:
    """The ids of an initiative, its wave and a team (None or "All teams": the organisation) named by a user.

    Raises LookupError naming what does not exist and what does.
    """
    initiatives = store.org.initiatives(db)
    match = initiatives[initiatives["name"] == initiative]
    if match.empty:
        known = ", ".join(initiatives["name"]) or "none yet"
        raise LookupError(f"There is no initiative called {initiative!r}; initiatives are: {known}.")
    initiative_id = int(match["id"].iloc[0])
    waves = store.org.waves(db, initiative_id)
    wave_match = waves[waves["name"] == wave]
    if wave_match.empty:
        known = ", ".join(waves["name"]) or "none yet"
        raise LookupError(f"{initiative} has no wave called {wave!r}; its waves are: {known}.")
    team_id = ORGANISATION
    if team is not None and team != ORGANISATION_LABEL:
        teams = store.org.teams(db)
        team_match = teams[teams["name"] == team]
        if team_match.empty:
            raise LookupError(f"There is no team called {team!r}; teams are: {', '.join(sorted(teams['name']))}.")
        team_id = int(team_match["id"].iloc[0])
    return initiative_id, int(wave_match["id"].iloc[0]), team_id


def report_document(
    db: Database, initiative_id: int, wave_id: int, team_id: int = ORGANISATION, group: str = "all"
) -> exports.Report:
    """The readiness report of one initiative's wave for a team and the teams below it (exports builds it)."""
    if group not in readiness.GROUPS:
        raise ValueError(f"Unknown respondent group {group!r}; groups are: {', '.join(readiness.GROUPS)}.")
    settings = store.settings.settings(db)
    return exports.readiness_report_document(
        exports.ReportData(
            settings=settings,
            initiatives=store.org.initiatives(db),
            waves=store.org.waves(db, initiative_id).reset_index(drop=True),
            teams=store.org.teams(db),
            demo=store.settings.workspace_kind(db) == "demo",
            frame=readiness_by_team(db, settings, initiative_id, group),
            barrier_counts=store.responses.barrier_counts(db, wave_id, float(settings["barrier_threshold"])),
        ),
        initiative_id,
        wave_id,
        team_id,
        group,
    )


# Survey import -------------------------------------------------------------------------------


_NOTHING_NEW = {"duplicate", "duplicate in file", "blank", "test", "unfinished"}
"""Row outcomes of a file that brings nothing new to the wave (with at least one duplicate)."""


class _NothingNew(Exception):
    """Every response of the file is already in the wave: roll back the (empty) batch, report no change."""

    def __init__(self, result: ImportResult):
        super().__init__("nothing new")
        self.result = result


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
    opens: date | None = None,
    allow_other_wave: bool = False,
) -> ImportResult:
    """Import one survey export as one batch, or say why not (ImportRejected); a dry run writes nothing and
    returns what would block the import in `blockers`.

    Unknown teams, items in the company's wording, a new wave or initiative are created (and said so); a new
    wave opens on `opens`, else on the earliest response in the file, else today. Re-importing the same
    file into the same wave changes nothing; responses already in another wave of the initiative are
    imported only with `allow_other_wave`.
    """
    if not wave.strip():
        raise ImportRejected("Give the wave a name (e.g. 2027 Q1): responses belong to a wave.")
    wave = wave.strip()
    survey = read_survey(data, file_name, chunk_rows)
    today = today or date.today()
    request = _Request(file_name, wave, initiative, mapping or ImportMapping(), dry_run, imported_by, today, opens)
    try:
        return _import(db, survey, data, request, allow_other_wave)
    except _NothingNew as nothing:
        nothing.result.nothing_new = True
        return nothing.result


@dataclass(frozen=True)
class _Request:
    """What import_survey was asked to do."""

    file_name: str
    wave: str
    initiative: str | None
    mapping: ImportMapping
    dry_run: bool
    imported_by: str | None
    today: date
    opens: date | None


def _import(db: Database, survey: Survey, data: bytes, request: _Request, allow_other_wave: bool) -> ImportResult:
    """import_survey's work inside its one transaction."""
    file_name, wave, mapping, dry_run = request.file_name, request.wave, request.mapping, request.dry_run
    file_hash = hashlib.sha256(data).hexdigest()
    will = "Will create" if dry_run else "Created"
    # A dry run only reads (no write lock), so a preview never holds up other people's saves.
    with store.write_transaction(db, commit=not dry_run, immediate=not dry_run):
        initiative_name, initiative_id, created = _initiative(db, request.initiative, request.today, not dry_run)
        wave_id = store.org.wave_id(db, initiative_id, wave) if initiative_id is not None else None
        if wave_id is not None and (earlier := store.responses.batch_with_hash(db, wave_id, file_hash)):
            return ImportResult(file_name, survey.tool, wave, initiative_name, None, already_imported=earlier)
        items = store.bank.items(db)
        aliases = dict(zip(*(store.bank.aliases(db)[column] for column in ("text", "item_code")), strict=True))
        plan = start_plan(survey, items, mapping, aliases)
        seen = store.responses.source_hashes(db, wave_id) if wave_id is not None else set()
        elsewhere, other_files = {}, []
        if initiative_id is not None:
            elsewhere = store.responses.other_wave_hashes(db, initiative_id, wave_id)
            other_files = store.responses.other_wave_batches(db, initiative_id, wave_id, file_hash)
        opened = since = None
        if wave_id is None and not dry_run:
            opened, since = _opening(survey, request)
            wave_id = store.org.add_wave(db, initiative_id, wave, opened.isoformat())
        batch_id = None if dry_run else _add_batch(db, file_name, file_hash, wave_id, request.imported_by)
        if not dry_run:
            store.bank.add_items(db, plan.new_items, batch_id)
            store.bank.add_aliases(db, plan.new_aliases, batch_id)
        bank = pd.concat([items, pd.DataFrame(plan.new_items, columns=["code", "element", "text"])])
        team_ids = store.org.team_ids(db)
        for grid in survey.chunks():
            chunk = plan_chunk(plan, survey, grid, list(team_ids), seen, mapping, elsewhere)
            if not dry_run and not plan.unknown_labels and not chunk.responses.empty:
                new = [team for team in chunk.responses["team"].unique() if team not in team_ids]
                team_ids |= store.org.add_teams(db, new, batch_id)
                _write_chunk(db, chunk, bank, team_ids, wave_id, batch_id)
        plan.finish(file_name)
        if plan.unknown_labels:
            raise UnmappedLabels(plan.unknown_labels)  # rolls back whatever was written
        if not plan.teams:
            counts = plan.counts()
            if counts.get("duplicate") and set(counts) <= _NOTHING_NEW:
                raise _NothingNew(ImportResult(file_name, survey.tool, wave, initiative_name, plan, dry_run=dry_run))
        blockers = plan.blockers(file_name)
        other_waves = dict(plan.in_other_waves)
        if (other_waves or other_files) and not allow_other_wave:
            blockers.append(_other_wave_sentence(file_name, wave, other_waves, other_files))
        if blockers and not dry_run:
            raise ImportRejected(blockers[0])  # rolls back whatever was written
        if batch_id is not None:
            store.responses.record_batch_outcomes(db, batch_id, _recorded(plan))
        if dry_run and wave_id is None:  # a preview reads the file once: the earliest date comes with the plan
            opened, since = _opening(survey, request, plan.earliest)
        if opened is not None:
            created.append(f"{will} wave {wave}, opening on {opened.isoformat()} ({since}).")
        created += [f"{will} item {item['code']} ({item['element']}): {item['text']!r}." for item in plan.new_items]
        created += [f"{will} team {name}." for name in plan.new_teams]
        recorded = "Will record" if dry_run else "Recorded"
        created += [f"{recorded} {text!r} as a wording of {code}." for text, code in plan.new_aliases.items()]
        result = ImportResult(
            file_name, survey.tool, wave, initiative_name, plan, created=created, dry_run=dry_run, blockers=blockers
        )
        result.batch_id = batch_id
        result.opens = opened
        result.other_waves = other_waves
        result.other_files = other_files
    return result


def _opening(survey: Survey, request: _Request, earliest: date | None = None) -> tuple[date, str]:
    """A new wave's opening date and where it comes from: the date asked for, else the earliest response in
    the file's timestamp column (`earliest` where a preview found it, else read before the import, which
    needs the wave), else today."""
    column = survey.headers[survey.timestamp_column] if survey.timestamp_column is not None else None
    if request.opens is not None:
        return request.opens, "as given"
    if earliest is not None:
        return earliest, f"the earliest response in the file's {column!r}"
    if survey.timestamp_column is not None and not request.dry_run:
        earliest, format = None, None
        for grid in survey.chunks():
            stamps = grid[survey.timestamp_column]
            format = format or date_format(stamps[stamps.astype(str).str.strip().ne("")])
            found = earliest_date(stamps, format)
            earliest = found if earliest is None or (found is not None and found < earliest) else earliest
        if earliest is not None:
            return earliest, f"the earliest response in the file's {column!r}"
    return request.today, "today: the file says no date"


def _other_wave_sentence(file_name: str, wave: str, responses: Mapping[str, int], files: list[dict]) -> str:
    """Why a file whose responses (or the file itself) are already in another wave waits for a confirmation."""
    where = sorted(set(responses) | {earlier["wave"] for earlier in files})
    counts = ", ".join(f"{plural(responses.get(name, 0), 'response')} in wave {name}" for name in where)
    whole = ""
    if files:
        earlier = files[0]
        whole = (
            f" (this very file was imported into {earlier['wave']} on {earlier['imported_at'][:10]} "
            f"as {earlier['file_name']})"
        )
    return (
        f"This file's responses are already in another wave of the initiative: {counts}{whole}; "
        f"confirm to import them into {wave} as well (Import anyway; command line: --allow-other-wave)."
    )


def _initiative(db: Database, name: str | None, today: date, create: bool = True) -> tuple[str, int | None, list[str]]:
    """The initiative to import into (the default one where none is named), created where new."""
    if name is None:
        found = default_initiative(db)
        if found is not None:
            return str(store.org.initiative_name(db, found)), found, []
        name = DEFAULT_INITIATIVE
    found = store.org.initiative_id(db, name)
    if found is not None:
        return name, found, []
    created = store.org.add_initiative(db, name, today.isoformat()) if create else None
    return name, created, [f"Created initiative {name}."]


def _batch(file_name: str, file_hash: str, kind: str, imported_by: str | None, **more: Any) -> dict[str, Any]:
    """An import batch's record: the file, who brought it and when."""
    return {
        "file_name": file_name,
        "file_hash": file_hash,
        "kind": kind,
        "imported_by": imported_by or getpass.getuser(),
        "imported_at": datetime.now().isoformat(timespec="seconds"),
        **more,
    }


def _add_batch(db: Database, file_name: str, file_hash: str, wave_id: int, imported_by: str | None) -> int:
    return store.responses.add_batch(db, _batch(file_name, file_hash, "responses", imported_by, wave_id=wave_id))


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
    first = store.responses.next_response_id(db)
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
            "answers": store.responses.encode_answers(values).to_numpy(),
            "complete": scores["complete"].astype(int).to_numpy(),
            **{column: scores[column].to_numpy() for column in (*scoring.STAT_COLUMNS, "outcome")},
        }
    )
    store.responses.insert_responses(db, responses)


def undo_batch(db: Database, batch: int) -> int:
    """Remove an import whole: its responses, answers and team-level rows, and the items, aliases, teams and
    wave it created where nothing else uses them; returns the rows removed."""
    with store.write_transaction(db):
        store.bank.remove_batch_items(db, batch)
        return store.responses.undo_batch(db, batch)


def save_team_results(db: Database, wave: int, rows: pd.DataFrame, entered_by: str) -> int:
    """Store the wave's entered team-level results (entry.check_grid's rows) as one batch; returns its id."""
    counts = {"counts": {"teams": int(rows["team_id"].nunique())}}
    batch = _batch("team-level entry", "", "team results", entered_by, wave_id=wave, row_outcomes=json.dumps(counts))
    with store.write_transaction(db):
        return store.responses.replace_team_results(db, wave, rows, batch)


# CX outcomes ---------------------------------------------------------------------------------


def save_cx_outcomes(db: Database, rows: pd.DataFrame, replace_period: str | None = None) -> dict[str, int]:
    """Write checked figures (outcomes.check_grid's rows) in one transaction; returns what changed."""
    with store.write_transaction(db):
        return store.outcomes.save_cx_outcomes(db, rows, replace_period)


def import_outcomes(db: Database, data: bytes, file_name: str, dry_run: bool = False) -> OutcomeImport:
    """Check an outcomes file and, where every cell is good, upsert its figures in one transaction.

    All or nothing: with any problem nothing is written. Figures are keyed on team, period and measure,
    so importing the same file again changes nothing. Raises ImportRejected where the file is unreadable.
    """
    found = read_outcomes(data, file_name, store.org.team_ids(db))
    if found.problems:
        planned = changes(empty_outcomes(), empty_outcomes())
    else:
        planned = changes(found.rows, store.outcomes.cx_outcomes(db))
    if found.problems or dry_run:
        return OutcomeImport(found, planned, change_counts(planned), written=False)
    return OutcomeImport(found, planned, save_cx_outcomes(db, found.rows), written=True)


# Kotter board --------------------------------------------------------------------------------


def save_kotter_steps(
    db: Database, initiative_id: int, rows: Iterable[Mapping[str, Any]], today: date, label_set: str = "current"
) -> list[int]:
    """Store the steps that changed, each with one history row dated `today`, in one transaction.

    `rows` hold step and kotter.FIELDS. Every row is checked first (kotter.check_update): any problem
    raises ValueError naming the step, field and value, and nothing is written. A row equal to what
    is stored (a step never saved counts as "not started" and empty) writes nothing, not even
    history. Returns the numbers of the steps written.
    """
    checked, problems, seen = [], [], set()
    for row in rows:
        clean, found = kotter.check_update(row.get("step"), row, label_set)
        if not found and clean["step"] in seen:
            found = [f"Step {clean['step']} is given twice; give each step once."]
        problems += found
        if not found:
            seen.add(clean["step"])
            checked.append(clean)
    if problems:
        raise ValueError("Nothing was saved: " + " ".join(problems))
    with store.write_transaction(db):
        if store.org.initiative_name(db, initiative_id) is None:
            raise ValueError(f"There is no initiative with id {initiative_id}; nothing was saved.")
        stored = {int(row["step"]): row for row in store.kotter.kotter_steps(db, initiative_id).to_dict("records")}
        changed = [
            row for row in checked if kotter.stored_values(row) != kotter.stored_values(stored.get(row["step"], {}))
        ]
        store.kotter.save_steps(db, initiative_id, changed, today)
    return [row["step"] for row in changed]


# Actions log ---------------------------------------------------------------------------------


def add_action(
    db: Database,
    initiative_id: int,
    title: str,
    *,
    owner: str | None = None,
    team_id: int | None = None,
    element: str | None = None,
    kotter_step: int | None = None,
    due_on: str | date | None = None,
    source: str | None = None,
    today: date,
) -> int:
    """Log a new open action, created `today`; returns its id.

    Every field is checked first (actions.check_new_action): a refused one raises ValueError naming the
    field and its value, and nothing is written.
    """
    values = {
        "title": title,
        "owner": owner,
        "team_id": team_id,
        "element": element,
        "kotter_step": kotter_step,
        "due_on": due_on,
        "source": source,
    }
    with store.write_transaction(db):
        if store.org.initiative_name(db, initiative_id) is None:
            raise ValueError(f"Initiative: {initiative_id!r} is not an initiative of this workspace.")
        clean = actions.check_new_action(values, set(store.org.team_ids(db).values()))
        return store.actions.insert_action(db, initiative_id, clean, today.isoformat())


def update_actions(db: Database, edits: Iterable[Mapping[str, Any]], *, today: date) -> list[dict[str, Any]]:
    """Apply edits ({"id": ..., field: value, ...}, fields of actions.EDITABLE) in one transaction.

    Every edit is checked first (actions.check_changes): any problem raises ValueError naming the
    action, the field and the value, and nothing is written. Closing an action (done or dropped)
    sets closed_on to `today`; reopening it clears closed_on. Returns what changed, one dict per
    field (id, title, field, before, after), closed_on included; a value equal to the stored one is
    no change.
    """
    edits = [dict(edit) for edit in edits]
    with store.write_transaction(db):
        stored = store.actions.stored_actions(db, [edit.get("id") for edit in edits])
        titles = {action_id: row["title"] for action_id, row in stored.items()}
        checked = actions.check_changes(edits, titles, set(store.org.team_ids(db).values()))
        applied = []
        for change in checked:
            was = stored[change["id"]]
            row = was | {field: value for field, value in change.items() if field != "id"}
            if row["status"] != was["status"]:
                row["closed_on"] = actions.closing_date(was["status"], row["status"], was["closed_on"], today)
            applied += [
                {
                    "id": change["id"],
                    "title": titles[change["id"]],
                    "field": field,
                    "before": was[field],
                    "after": value,
                }
                for field, value in row.items()
                if value != was[field]
            ]
            stored[change["id"]] = row
            store.actions.update_action(db, {key: row[key] for key in ("id", *actions.EDITABLE, "closed_on")})
    return applied


def set_votes(db: Database, votes: Mapping[int, Any]) -> None:
    """Set the dot-votes of actions (id -> votes) in one transaction; a refused count or an unknown id
    raises ValueError naming the action and the value, and nothing is written."""
    with store.write_transaction(db):
        titles = {action_id: row["title"] for action_id, row in store.actions.stored_actions(db, votes).items()}
        checked, problems = {}, []
        for action_id, value in votes.items():
            if action_id not in titles:
                problems.append(f"There is no action with id {action_id!r} in this workspace.")
                continue
            try:
                checked[int(action_id)] = actions.check_votes(value)
            except ValueError as problem:
                problems.append(f"“{titles[action_id]}”, {problem}")
        if problems:
            raise actions.ActionProblems(problems)
        store.actions.set_votes(db, checked)


# Champion network ----------------------------------------------------------------------------


def _roster_twin(db: Database, row: Mapping[str, Any], other_than: int | None = None) -> str | None:
    """The name of another champion with the same name (ignoring case and spaces), team and start, or None."""
    key = champions.name_key(row["alias"])
    found = store.champions.same_start(db, row["team_id"], row["started_on"])
    return next(
        (alias for found_id, alias in found if champions.name_key(alias) == key and found_id != other_than), None
    )


def add_champion(db: Database, alias: Any, team: Any, started_on: Any, ended_on: Any = None) -> int:
    """Add a champion to the roster (team by name or id); returns the id.

    Checked first: a blank name, an unknown team, a date that is no date, an end before the start
    or a champion already in the roster (same name, team and start) raise ValueError naming the
    field and the value, and nothing is written.
    """
    with store.write_transaction(db):
        row, problems = champions.check_champion(alias, team, started_on, ended_on, store.org.team_ids(db))
        if problems:
            raise ValueError(champions.describe_problems(problems))
        if twin := _roster_twin(db, row):
            raise ValueError(f"{twin} is already in the roster of that team from {row['started_on']}.")
        return store.champions.insert_champion(db, row)


def update_champions(db: Database, edits: Iterable[Mapping[str, Any]]) -> int:
    """Change roster entries (id, alias, team, started_on, ended_on; team by name or id) in one transaction.

    Every edit is checked before anything is written: the roster rules of add_champion, and a
    champion's logged sessions must stay within their new start and end. Any problem raises
    ValueError naming the champion, the field and the value, one line each, and nothing is
    written. Returns how many champions changed (an edit equal to the stored row is no change).
    """
    edits = [dict(edit) for edit in edits]
    changed, problems = [], []
    with store.write_transaction(db):
        stored = store.champions.stored_champions(db, [edit.get("id") for edit in edits])
        teams = store.org.team_ids(db)
        seen: dict[tuple, str] = {}
        for edit in edits:
            current = stored.get(edit.get("id"))
            if current is None:
                problems.append(f"There is no champion with id {edit.get('id')!r} in this workspace.")
                continue
            row, found = champions.check_champion(
                edit.get("alias"), edit.get("team"), edit.get("started_on"), edit.get("ended_on"), teams
            )
            if found:
                problems.append(champions.describe_problems(found, current["alias"]))
                continue
            key = champions.roster_key(row["alias"], row["team_id"], row["started_on"])
            twin = seen.get(key) or _roster_twin(db, row, other_than=current["id"])
            if twin:
                problems.append(
                    f"{current['alias']}: {twin} is already in the roster of that team from {row['started_on']}."
                )
                continue
            seen[key] = current["alias"]
            outside = champions.check_activities_within(
                current["alias"], row["started_on"], row["ended_on"], current.get("days", [])
            )
            if outside:
                problems.append(outside)
                continue
            if any(row[field] != current[field] for field in row):
                changed.append(row | {"id": current["id"]})
        if problems:
            raise ValueError("\n".join(problems))
        store.champions.update_champions(db, changed)
    return len(changed)


def retire_champion(db: Database, champion_id: int, ended_on: Any) -> None:
    """Record that a champion stepped down on `ended_on` (checked as update_champions checks an edit)."""
    stored = store.champions.stored_champions(db, [champion_id]).get(champion_id)
    if stored is None:
        raise ValueError(f"There is no champion with id {champion_id!r} in this workspace.")
    if ended_on is None or not str(ended_on).strip():
        raise ValueError(f"{stored['alias']}: End: (empty): say on which day they stepped down.")
    update_champions(db, [stored | {"team": stored["team_id"], "ended_on": ended_on}])


def add_champion_activity(
    db: Database,
    champion_id: int,
    kind: Any,
    happened_on: Any,
    people_reached: Any,
    note: Any = None,
    today: date | None = None,
) -> int:
    """Log a champion's session; returns its id.

    Checked first (champions.check_activity): an unknown champion or kind, a date in the future or
    outside the champion's time, people reached that is no whole number of 0 or more raise
    ValueError naming the field and the value, and nothing is written.
    """
    with store.write_transaction(db):
        champion = store.champions.stored_champions(db, [champion_id]).get(champion_id)
        if champion is None:
            raise ValueError(f"There is no champion with id {champion_id!r} in this workspace.")
        row = champions.check_activity(champion, kind, happened_on, people_reached, note, today or date.today())
        return store.champions.insert_activity(db, champion_id, row)


def import_roster(
    db: Database, data: bytes, file_name: str, dry_run: bool = False, imported_by: str | None = None
) -> RosterImport:
    """Check a roster file and, where every row is good, add its new champions as one batch.

    All or nothing: with any problem nothing is written; a dry run writes nothing either. The same
    file again (same bytes) changes nothing. Raises ImportRejected where the file cannot be read.
    """
    found = read_roster(data, file_name)
    file_hash = hashlib.sha256(data).hexdigest()
    # A dry run only reads (no write lock), so a preview never holds up other people's saves.
    with store.write_transaction(db, commit=not dry_run, immediate=not dry_run):
        earlier = store.champions.champion_batch_with_hash(db, file_hash)
        if earlier:
            return RosterImport(file_name, None, already_imported=earlier, ignored_columns=found.ignored_columns)
        plan = plan_roster(found, store.org.team_ids(db), store.champions.champion_roster(db))
        result = RosterImport(file_name, plan, ignored_columns=found.ignored_columns)
        if plan.problems or dry_run or not plan.additions:
            return result
        outcomes = {"counts": plan.counts(), "rows": [asdict(r) for r in plan.rows if r.outcome != "add"]}
        batch = _batch(
            file_name, file_hash, "champions", imported_by, row_outcomes=json.dumps(outcomes, ensure_ascii=False)
        )
        result.batch_id = store.champions.insert_champion_batch(db, batch, plan.additions)
    return result


def undo_champion_batch(db: Database, batch: int) -> dict[str, int]:
    """Remove a roster import whole: its champions and the sessions logged for them since.

    Returns how many champions and activities went; raises ValueError where there is no such roster import.
    """
    with store.write_transaction(db):
        found = store.champions.champion_batch_counts(db, batch)
        if found is None:
            raise ValueError(f"There is no roster import with batch number {batch!r}.")
        store.champions.delete_batch(db, batch)  # cascades to its champions
    return {"champions": found[0], "activities": found[1]}


# Programme health ----------------------------------------------------------------------------


def _initiative_name(db: Database, initiative_id: Any) -> str:
    """The initiative's name, or ValueError naming the id that is not one of the workspace's initiatives."""
    name = store.org.initiative_name(db, initiative_id)
    if name is None:
        raise ValueError(f"Nothing saved: there is no initiative with id {initiative_id!r}.")
    return name


def add_sponsor_activity(
    db: Database,
    initiative_id: int,
    sponsor: str,
    happened_on: str | date,
    kind: str,
    note: str | None = None,
    team_id: int | None = None,
    *,
    today: date,
) -> int:
    """Log what a sponsor did for the initiative (checked by health.check_sponsor_activity); returns its id.

    A refused field raises ValueError naming it and its value, and nothing is written.
    """
    row = health.check_sponsor_activity(sponsor, happened_on, kind, note, today)
    with store.write_transaction(db):
        _initiative_name(db, initiative_id)
        if team_id is not None and int(team_id) not in store.org.team_ids(db).values():
            raise ValueError(f"Nothing logged: there is no team with id {team_id!r}.")
        return store.health.insert_sponsor_activity(db, initiative_id, None if team_id is None else int(team_id), row)


def tick_check(db: Database, initiative_id: int, check_name: str, ticked: bool, note: str | None, today: date) -> int:
    """Record a facilitator's tick (or explicit untick) of a check, dated `today`; returns its id.

    Ticks are never overwritten: the new row becomes the check's current tick. A refused check, or a
    tick without a note, raises ValueError and nothing is written.
    """
    row = health.check_tick(check_name, ticked, note)
    with store.write_transaction(db):
        _initiative_name(db, initiative_id)
        return store.health.insert_tick(db, initiative_id, row, today.isoformat())


def set_initiative_owner(db: Database, initiative_id: int, owner: str) -> None:
    """Name the one person accountable for an initiative; an empty or overlong name raises ValueError."""
    name = actions.check_owner(owner, required=True)
    with store.write_transaction(db):
        _initiative_name(db, initiative_id)
        store.health.set_initiative_owner(db, initiative_id, name)
