"""Use cases: one function each, that loads what it needs, checks it with the pure rules and writes it
in one transaction. The only caller of the store's writes; the app and the command line call these.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd
from sqlite_utils import Database

from cxchange import (
    access,
    actions,
    champions,
    entry,
    health,
    kotter,
    names,
    organisation,
    pulses,
    questions,
    readiness,
    sample_data,
    scoring,
    store,
    summary,
)
from cxchange.access import Actor
from cxchange.hierarchy import ORGANISATION, ORGANISATION_LABEL, subtree_members
from cxchange.importing import DEFAULT_INITIATIVE, ImportResult, UnmappedLabels
from cxchange.importing.reading import (
    CHUNK_ROWS,
    ImportRejected,
    Limits,
    Survey,
    date_format,
    earliest_date,
    read_survey,
)
from cxchange.importing.roster import RosterFile, RosterImport, plan_roster, read_roster
from cxchange.importing.rules import Chunk, ImportMapping, Plan, plan_chunk, start_plan
from cxchange.outcomes import OutcomeImport, change_counts, changes, empty_outcomes, read_outcomes
from cxchange.reports import document
from cxchange.settings import SETTINGS_BY_NAME
from cxchange.text import plural

P = ParamSpec("P")
R = TypeVar("R")

LOCAL = access.local(getpass.getuser())
"""Who acts where nobody signs in: the person at this computer (the command line, tests, `make run`).
The app passes the signed-in person instead (ui.call)."""


def _role(role: str, scoped: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A use case only `role` and the roles above it may run: refused (access.Refused) before anything is
    read or checked, whatever calls it. Unless `scoped` (the use case checks the team it touches against
    the actor's scope itself), it also needs the role for the whole organisation: a file, a board or a
    setting reaches beyond one team. The role is kept on the function (`needs_role`) for tests."""

    def decorate(use_case: Callable[P, R]) -> Callable[P, R]:
        what = use_case.__name__.replace("_", " ").capitalize()

        @functools.wraps(use_case)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = kwargs.get("actor", LOCAL)
            actor = actor if isinstance(actor, Actor) else LOCAL
            access.require(actor, role, what)
            if not scoped and actor.team_id is not None:
                raise access.Refused(
                    f"{what} reaches beyond one team, so it needs the {role} role for the whole organisation; "
                    f"{actor.name} looks after some teams only. Ask your cxchange admin."
                )
            return use_case(*args, **kwargs)

        checked.needs_role = role  # type: ignore[attr-defined]
        checked.scoped = scoped  # type: ignore[attr-defined]
        return checked

    return decorate


@contextmanager
def _writing(
    db: Database, actor: Actor, action: str, target: object = "", **transaction: Any
) -> Iterator[dict[str, Any]]:
    """One write in one transaction (store.write_transaction, with its `commit` and `immediate`) that ends
    with the audit entry of who did `action` to `target` when, in the same transaction.

    Yields a dict the write may fill with small details for the entry (ids, counts, before and after).
    A write that raises or changes no row records nothing; a dry run (commit=False) rolls its entry back.
    """
    detail: dict[str, Any] = {}
    with store.write_transaction(db, **transaction):
        before = db.conn.total_changes
        yield detail
        if db.conn.total_changes != before:  # a refusal that wrote nothing is no change to record
            store.people.record(db, _now(), actor.name, actor.role, action, str(target), detail)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _team_or_none(value: Any) -> bool:
    """Whether `value` is a team id or None (no team), not a value the use case's own checks refuse."""
    return value is None or (isinstance(value, int | np.integer) and not isinstance(value, bool))


def _refuse_outside(db: Database, actor: Actor, team_ids: Iterable[Any], what: str) -> None:
    """Refuse (access.Refused, naming the teams) a write that touches teams outside a scoped actor's teams."""
    if actor.team_id is not None:
        access.require_teams_in_scope(actor, store.org.teams(db), list(team_ids), what)


def _scope(db: Database, actor: Actor) -> frozenset[int] | None:
    """The team ids a scoped actor looks after; None: the whole organisation."""
    return None if actor.team_id is None else access.scope_ids(store.org.teams(db), actor.team_id)


# Workspace and settings ----------------------------------------------------------------------


@_role("admin")
def save_settings(db: Database, values: Mapping[str, Any], *, actor: Actor = LOCAL) -> dict[str, Any]:
    """Check and store declared settings; raises ValueError naming the first bad one, storing none."""
    checked = {}
    for name, value in values.items():
        if name not in SETTINGS_BY_NAME:
            raise ValueError(f"There is no setting called {name!r}.")
        checked[name] = SETTINGS_BY_NAME[name].check(value)
    with _writing(db, actor, "settings saved", ", ".join(sorted(checked))):
        store.settings.save_settings(db, checked)
    return store.settings.settings(db)


def upload_limits(db: Database) -> Limits:
    """How large an upload may be in this workspace (settings upload_max_*), for the readers of every upload."""
    return Limits.from_settings(store.settings.settings(db))


@_role("admin")
def clear_workspace(db: Database, *, actor: Actor = LOCAL) -> None:
    """Delete the organisation's data (teams, surveys, logs), keeping settings and the question bank."""
    with _writing(db, actor, "workspace emptied", ""):
        store.clear_data(db)
        store.settings.set_workspace_kind(db, "own")


@_role("admin")
def write_demo(db: Database, seed: int = sample_data.DEFAULT_SEED, *, actor: Actor = LOCAL) -> None:
    """Replace the workspace's data with the demo organisation, in one transaction."""
    demo = sample_data.demo(seed)
    with _writing(db, actor, "demo organisation loaded", ""):
        store.clear_data(db)
        for table, rows, pk in demo.tables:
            store.insert_rows(db, table, rows, pk=pk)
        encoded = store.responses.encode_answers(demo.answers).rename("answers")
        store.responses.insert_responses(db, demo.responses.merge(encoded, left_on="id", right_index=True))
        store.settings.set_workspace_kind(db, "demo")


@_role("admin")
def restore_backup(db: Database, source: str | Path, *, actor: Actor = LOCAL) -> None:
    """Replace the whole database with the backup at `source`; refused (ValueError, one sentence) where the file
    is empty, not SQLite, damaged or no cxchange workspace, or encrypted and the backup key (store.backup_key)
    is missing or another, the workspace left as it was. The restore is the first entry of the audit trail
    after it."""
    store.restore(db, source, store.backup_key())
    with store.write_transaction(db):
        store.people.record(db, _now(), actor.name, actor.role, "backup restored", Path(source).name, {})


@_role("admin")
def backup_workspace(db: Database, label: str, *, actor: Actor = LOCAL) -> Path:
    """Keep a checked backup of the whole workspace in its backups folder (see store.backup; encrypted where a
    backup key is set), then delete all but the newest `backups_kept` (a setting); returns the new backup. A
    failure leaves no file and raises."""
    kept = _backup_first(db, label)
    with store.write_transaction(db):
        store.people.record(db, _now(), actor.name, actor.role, "backup kept", kept.name, {})
    return kept


def _backup_first(db: Database, label: str) -> Path:
    """The backup taken before a destructive write (undo, merge), kept and pruned like any other, and encrypted
    where a backup key is set (store.backup_key: [backups] key in .streamlit/secrets.toml)."""
    path, key = store.file_of(db), store.backup_key()
    kept = store.backup(db, store.backup_path(path, label, sealed=key is not None), key)
    store.prune_backups(path, int(store.settings.settings(db)["backups_kept"]))
    return kept


SCHEDULE = Actor("backup schedule", "admin", local=True)
"""Who takes the scheduled backups (services.scheduled_backup), whoever's visit made one due."""


def scheduled_backup(db: Database, now: datetime | None = None) -> Path | None:
    """Take the scheduled backup where it is due (setting backup_every_days; the newest backup older than
    that, or none yet); returns it, or None where none was due."""
    every = int(store.settings.settings(db)["backup_every_days"])
    if every <= 0:
        return None
    newest = store.backups(store.file_of(db))
    now = now or datetime.now()
    if newest and now.timestamp() - newest[0].stat().st_mtime < every * 86_400:
        return None
    return backup_workspace(db, "scheduled", actor=SCHEDULE)


@_role("admin")
def export_backup(db: Database, destination: str | Path, *, actor: Actor = LOCAL) -> Path:
    """A checked backup of the whole workspace at `destination` (the command line's `backup --out`), encrypted
    where a backup key is set."""
    kept = store.backup(db, destination, store.backup_key())
    with store.write_transaction(db):
        store.people.record(db, _now(), actor.name, actor.role, "backup kept", str(kept), {})
    return kept


@_role("admin")
def delete_backups(db: Database, *, actor: Actor = LOCAL) -> int:
    """Delete every backup of the workspace (after an empty start that should keep nothing); returns how many
    there were."""
    deleted = len(store.delete_backups(store.file_of(db)))
    with store.write_transaction(db):
        store.people.record(db, _now(), actor.name, actor.role, "backups deleted", "", {"deleted": deleted})
    return deleted


def recover_workspace(path: str | Path, source: str | Path) -> None:
    """Put the backup `source` in place of the workspace file at `path`, which cannot be opened (damaged), so
    no role can be read from it: the app offers this only to the local admin or one named in $CXCHANGE_ADMINS
    (ui.may_recover). Recorded in the restored file's audit trail."""
    store.replace_file(path, source, store.backup_key())
    # the backup's schema brought up to date, as every restore does
    with closing(store.open_db(path)) as db, store.write_transaction(db):
        store.people.record(db, _now(), "recovery screen", "admin", "backup restored", Path(source).name, {})


def set_aside_workspace(path: str | Path) -> Path:
    """Move a damaged workspace file out of the way (kept beside it); the next start creates a new one."""
    return store.set_aside(path)


@_role("editor")
def save_mapping(db: Database, name: str, mapping_json: str, *, actor: Actor = LOCAL) -> None:
    """Keep an import mapping under a name for the next file from the same survey; raises ImportRejected
    (one sentence) for a blank name or a mapping that does not read."""
    if not (name or "").strip():
        raise ImportRejected("Give the mapping a name to save it under (e.g. Pulse survey 2027).")
    try:
        ImportMapping.from_json(mapping_json)
    except ValueError as problem:
        raise ImportRejected(str(problem)) from None
    with _writing(db, actor, "import mapping saved", name.strip()):
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


def team_comments(
    db: Database, settings: dict[str, Any], wave_id: int, team_id: int, hidden: bool | None = None
) -> tuple[list[str], str]:
    """A team's free-text comments of a wave (its subtree's), and a sentence saying what is shown.

    Comments come only from teams that have at least the comment minimum of responses themselves,
    so neither a small team nor the difference between a parent and its children can be read; and
    none for a team whose figures the wave hides (`hidden`, worked out here where not given), whose
    page shows no figure, comment or count.
    """
    if hidden is None:
        waves = store.org.waves(db)
        initiative = waves.loc[waves["id"] == wave_id, "initiative_id"]
        frame = readiness_by_team(db, settings, int(initiative.iloc[0])) if len(initiative) else None
        row = None if frame is None else frame[(frame["wave_id"] == wave_id) & (frame["team_id"] == team_id)]
        hidden = row is None or row.empty or bool(row["suppressed"].iloc[0])
    minimum = int(settings["min_comment_group_size"])
    members = subtree_members(store.org.teams(db))
    ids = members.loc[members["ancestor_id"] == team_id, "team_id"].tolist()
    return readiness.comments_shown(store.responses.comments(db, wave_id, ids, minimum), minimum, hidden)


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
    db: Database,
    initiative_id: int,
    wave_id: int,
    team_id: int = ORGANISATION,
    group: str = "all",
    today: date | None = None,
) -> document.Report:
    """The readiness report of one initiative's wave for a team and the teams below it (reports.document builds it),
    opening with the executive summary the Overview shows for that team (`today`: when actions are overdue)."""
    if group not in readiness.GROUPS:
        raise ValueError(f"Unknown respondent group {group!r}; groups are: {', '.join(readiness.GROUPS)}.")
    settings = store.settings.settings(db)
    frame = readiness_by_team(db, settings, initiative_id, group)
    waves = store.org.waves(db, initiative_id).reset_index(drop=True)
    return document.readiness_report_document(
        document.ReportData(
            settings=settings,
            initiatives=store.org.initiatives(db),
            waves=waves,
            teams=store.org.teams(db),
            demo=store.settings.workspace_kind(db) == "demo",
            frame=frame,
            barrier_counts=store.responses.barrier_counts(db, wave_id, float(settings["barrier_threshold"])),
            summary=summary.summarise(_summary_inputs(db, settings, frame, waves, wave_id, team_id, today)),
        ),
        initiative_id,
        wave_id,
        team_id,
        group,
    )


def executive_summary(
    db: Database, initiative_id: int, wave_id: int, team_id: int = ORGANISATION, today: date | None = None
) -> summary.Summary:
    """The executive summary of a wave for a team's subtree (ORGANISATION: every team), all respondents:
    what the Overview shows at its top and every report opens with."""
    settings = store.settings.settings(db)
    frame = readiness_by_team(db, settings, initiative_id)
    waves = store.org.waves(db, initiative_id).reset_index(drop=True)
    return summary.summarise(_summary_inputs(db, settings, frame, waves, wave_id, team_id, today))


def _summary_inputs(
    db: Database,
    settings: dict[str, Any],
    frame: pd.DataFrame,
    waves: pd.DataFrame,
    wave_id: int,
    team_id: int,
    today: date | None,
) -> summary.SummaryInputs:
    """What summary.summarise reads, loaded as the Overview, Actions, Kotter and Champions pages load it."""
    today = today or sample_data.day_of(store.settings.workspace_kind(db), date.today())
    teams = store.org.teams(db)
    scope = None if team_id == ORGANISATION else team_id
    initiative_id = int(waves["initiative_id"].iloc[0]) if len(waves) else None
    coverage = champions.coverage(
        access.scoped_teams(store.org.teams(db, archived=False), scope),
        access.scoped_rows(store.champions.champion_roster(db), teams, scope),
        access.scoped_rows(store.champions.champion_activity_log(db), teams, scope),
        today,
        float(settings["champion_ratio"]),
        int(settings["champion_quiet_days"]),
    )
    return summary.SummaryInputs(
        frame=frame,
        teams=teams,
        waves=waves,
        wave_id=wave_id,
        settings=settings,
        today=today,
        actions=store.actions.initiative_actions(db, initiative_id),
        kotter_steps=store.kotter.kotter_steps(db, initiative_id),
        kotter_history=store.kotter.kotter_history(db, initiative_id),
        coverage=coverage,
        scope=team_id,
        cx_outcomes=store.outcomes.cx_outcomes(db),
    )


# Survey import -------------------------------------------------------------------------------


def demo_refusal(what: str, then: str = "import it") -> str:
    """Why real survey results are not put into the demo workspace, and what to do instead (`then`: the step
    after starting an empty workspace)."""
    return (
        f"{what} cannot go into the demo workspace: it holds {sample_data.DEMO_NAME}, a made-up "
        "organisation, and real answers would blend into its made-up figures under a banner calling them made "
        f"up. Start an empty workspace first (Settings → Workspace; a backup keeps the demo), then {then}."
    )


def _refuse_demo(db: Database, what: str, then: str = "import it") -> None:
    """Refuse (ImportRejected) real data meant for the demo workspace, before a file is read: every file (survey,
    team-level results, org file, roster, CX outcomes) and typed results (team-level, CX figures). Editing the
    demo's own logs one by one (actions, champions, the Kotter board, its teams) is trying it out, and allowed."""
    if store.settings.workspace_kind(db) == "demo":
        raise ImportRejected(demo_refusal(what, then))


_NOTHING_NEW = {"duplicate", "duplicate in file", "blank", "test", "unfinished"}
"""Row outcomes of a file that brings nothing new to the wave (with at least one duplicate)."""


class _NothingNew(Exception):
    """Every response of the file is already in the wave: roll back the (empty) batch, report no change."""

    def __init__(self, result: ImportResult):
        super().__init__("nothing new")
        self.result = result


@_role("editor", scoped=True)
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
    *,
    actor: Actor = LOCAL,
) -> ImportResult:
    """Import one survey export as one batch, or say why not (ImportRejected); a dry run writes nothing and
    returns what would block the import in `blockers`.

    Unknown teams, items in the company's wording, a new wave or initiative are created (and said so); a new
    wave opens on `opens`, else on the earliest response in the file, else today. Re-importing the same
    file into the same wave changes nothing; responses already in another wave of the initiative are
    imported only with `allow_other_wave`. Someone who looks after some teams imports only files whose
    respondents are all of their teams (existing ones: a new team would stand outside them).
    """
    _refuse_demo(db, file_name)
    if not wave.strip():
        raise ImportRejected("Give the wave a name (e.g. 2027 Q1): responses belong to a wave.")
    wave = wave.strip()
    survey = read_survey(data, file_name, chunk_rows, upload_limits(db))
    today = today or date.today()
    request = _Request(
        file_name, wave, initiative, mapping or ImportMapping(), dry_run, imported_by or actor.name, today, opens, actor
    )
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
    imported_by: str
    today: date
    opens: date | None
    actor: Actor


def _import(db: Database, survey: Survey, data: bytes, request: _Request, allow_other_wave: bool) -> ImportResult:
    """import_survey's work inside its one transaction."""
    file_name, wave, mapping, dry_run = request.file_name, request.wave, request.mapping, request.dry_run
    actor = request.actor
    file_hash = hashlib.sha256(data).hexdigest()
    will = "Will create" if dry_run else "Created"
    # A dry run only reads (no write lock), so a preview never holds up other people's saves.
    with _writing(db, actor, "survey imported", file_name, commit=not dry_run, immediate=not dry_run):
        initiative_name, initiative_id, created = _initiative(db, request.initiative, request.today, not dry_run)
        wave_id = store.org.wave_id(db, initiative_id, wave) if initiative_id is not None else None
        new_wave = wave_id is None
        if wave_id is not None and (earlier := store.responses.batch_with_hash(db, wave_id, file_hash)):
            return ImportResult(file_name, survey.tool, wave, initiative_name, None, already_imported=earlier)
        items = store.bank.items(db)
        aliases = dict(zip(*(store.bank.aliases(db)[column] for column in ("text", "item_code")), strict=True))
        plan = start_plan(survey, items, mapping, aliases, store.settings.team_headers(db))
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
        teams = store.org.teams(db)
        archived = [name for name in teams.loc[teams["archived_on"].notna(), "name"] if name not in team_ids]
        for grid in survey.chunks():
            chunk = plan_chunk(plan, survey, grid, list(team_ids), seen, mapping, elsewhere, archived)
            if not dry_run and not (plan.unknown_labels or plan.team_refusals) and not chunk.responses.empty:
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
        if actor.team_id is not None:
            outside = _outside_respondents(actor, teams, plan, team_ids, file_name)
            if new_wave:  # a wave is everyone's: the latest one is what every view opens on
                outside = (outside + " " if outside else "") + (
                    f"Wave {wave} is new: a wave is the whole organisation's, so an admin adds it first "
                    "(Settings → Initiatives & waves); then import into it."
                )
            if outside and not dry_run:
                raise access.Refused(outside)  # rolls back whatever was written
            blockers += [outside] if outside else []
        other_waves = dict(plan.in_other_waves)
        if (other_waves or other_files) and not allow_other_wave:
            blockers.append(_other_wave_sentence(file_name, wave, other_waves, other_files))
        if blockers and not dry_run:
            raise ImportRejected(blockers[0])  # rolls back whatever was written
        if batch_id is not None:
            store.responses.record_batch_outcomes(db, batch_id, _recorded(plan))
            store.settings.add_team_header(db, plan.team_column)  # the next file with this header needs no choice
        if dry_run and wave_id is None:  # a preview reads the file once: the earliest date comes with the plan
            opened, since = _opening(survey, request, plan.earliest)
        if opened is not None:
            created.append(f"{will} wave {wave}, opening on {opened.isoformat()} ({since}).")
        created += [f"{will} item {item['code']} ({item['element']}): {item['text']!r}." for item in plan.new_items]
        # A spelling that looks like another team waits for the user's answer: it is not announced as new.
        created += [f"{will} team {name}." for name in plan.new_teams if name not in plan.team_questions]
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


def _outside_respondents(
    actor: Actor, teams: pd.DataFrame, plan: Plan, team_ids: Mapping[str, int], file_name: str
) -> str | None:
    """Why a scoped editor may not import this file: one sentence naming its respondents' teams outside their
    scope, new teams among them (they would stand at the top of the organisation); None where all are theirs."""
    known = set(teams["id"].astype(int))
    found = {name: team_ids.get(name) for name in plan.teams}
    what = f"Nothing was imported from {file_name}"
    sentence = access.outside_scope(actor, teams, [team for team in found.values() if team in known], what)
    new = sorted((name for name, team in found.items() if team not in known), key=str.casefold)
    if not new:
        return sentence
    scope = teams.set_index("id")["name"].get(actor.team_id, f"team {actor.team_id}")
    also = (sentence[: -len(" Ask your cxchange admin.")] + " It also names") if sentence else f"{what}: it names"
    return (
        f"{also} teams that do not exist yet ({', '.join(new)}); you add responses to {scope} and the teams below "
        "it only, and only an admin adds teams. Ask your cxchange admin."
    )


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


def _batch(file_name: str, file_hash: str, kind: str, imported_by: str, **more: Any) -> dict[str, Any]:
    """An import batch's record: the file, who brought it and when."""
    return {
        "file_name": file_name,
        "file_hash": file_hash,
        "kind": kind,
        "imported_by": imported_by,
        "imported_at": datetime.now().isoformat(timespec="seconds"),
        **more,
    }


def _add_batch(db: Database, file_name: str, file_hash: str, wave_id: int, imported_by: str) -> int:
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


@_role("editor", scoped=True)
def undo_batch(db: Database, batch: int, *, actor: Actor = LOCAL) -> int:
    """Remove an import whole: its responses, answers and team-level rows, and the items, aliases, teams and
    wave it created where nothing else uses them; returns the rows removed. A backup is kept first. An editor
    undoes their own imports, one who looks after some teams only those whose every row is of their teams."""
    _refuse_others_batch(db, actor, batch)
    kept = _backup_first(db, "before-undo")
    with _writing(db, actor, "import undone", f"batch {batch}") as detail:
        detail["backup"] = kept.name
        _refuse_others_batch(db, actor, batch)
        store.bank.remove_batch_items(db, batch)
        return store.responses.undo_batch(db, batch)


def _refuse_others_batch(db: Database, actor: Actor, batch: int) -> None:
    """An editor undoes their own imports; someone else's needs an admin."""
    owner = store.responses.batch_owner(db, batch)
    if owner is not None and owner != actor.name and not actor.may("admin"):
        raise access.Refused(f"Batch {batch} was imported by {owner}; undoing someone else's import needs an admin.")
    if owner is not None:
        _refuse_outside(db, actor, store.responses.batch_team_ids(db, batch), f"Undoing batch {batch}")


@_role("editor", scoped=True)
def save_team_results(
    db: Database, wave: int, rows: pd.DataFrame, entered_by: str | None = None, *, actor: Actor = LOCAL
) -> int:
    """Store the wave's entered team-level results (entry.check_grid's rows) as one batch; returns its id.

    The grid is the wave's whole entry; for someone who looks after some teams it is their teams' whole entry
    (refused, access.Refused naming the team, where a row is of another team), other teams' entries stay."""
    _refuse_demo(db, "Typed team-level results")
    counts = {"counts": {"teams": int(rows["team_id"].nunique())}}
    by = entered_by or actor.name
    batch = _batch("team-level entry", "", "team results", by, wave_id=wave, row_outcomes=json.dumps(counts))
    with _writing(db, actor, "team results entered", f"wave {wave}"):
        _refuse_outside(db, actor, rows["team_id"], "Saving team-level results")
        return store.responses.replace_team_results(db, wave, rows, batch, within=_scope(db, actor))


@_role("editor", scoped=True)
def enter_team_results(
    db: Database,
    data: bytes,
    file_name: str,
    wave: str,
    initiative: str | None = None,
    entered_by: str | None = None,
    dry_run: bool = False,
    *,
    actor: Actor = LOCAL,
) -> entry.EntryResult:
    """Read, check and store a file of team-level results (team, n, five means, optional sds) as one batch.

    All or nothing: an unknown initiative or wave raises LookupError naming the known ones; an unreadable
    file, a missing column or any bad cell raises ImportRejected naming row, column and value, and nothing
    is written. The file's teams replace their earlier entry in the wave; other teams' entries stay.
    A dry run checks everything and writes nothing.
    """
    _refuse_demo(db, file_name)
    found = entry.read_team_results(data, file_name, upload_limits(db))
    file_hash = hashlib.sha256(data).hexdigest()
    with _writing(db, actor, "team results imported", file_name, commit=not dry_run, immediate=not dry_run):
        initiative_id = default_initiative(db) if initiative is None else store.org.initiative_id(db, initiative)
        if initiative_id is None:
            known = ", ".join(store.org.initiatives(db)["name"]) or "none yet"
            raise LookupError(f"There is no initiative called {initiative!r}; initiatives are: {known}.")
        initiative_name = str(store.org.initiative_name(db, initiative_id))
        wave_id = store.org.wave_id(db, initiative_id, wave)
        if wave_id is None:
            known = ", ".join(store.org.waves(db, initiative_id)["name"]) or "none yet"
            raise LookupError(f"{initiative_name} has no wave called {wave!r}; its waves are: {known}.")
        team_ids = store.org.team_ids(db)
        rows, problems = entry.check_results_file(found, team_ids)
        if problems:
            raise ImportRejected(f"Nothing was entered from {file_name}: " + " ".join(problems))
        _refuse_outside(db, actor, rows["team_id"], f"Nothing was entered from {file_name}")
        names = {team_id: name for name, team_id in team_ids.items()}
        earlier = set(store.responses.team_results(db, wave_id)["team_id"])
        result = entry.EntryResult(
            file_name,
            wave,
            initiative_name,
            entry.results_preview(rows, names),
            sorted((names[team] for team in set(rows["team_id"]) & earlier), key=str.casefold),
            dry_run=dry_run,
            ignored_columns=found.ignored_columns,
        )
        if not dry_run:
            counts = {"counts": {"teams": int(rows["team_id"].nunique())}, "replaced": result.replaced}
            batch = _batch(
                file_name,
                file_hash,
                "team results",
                entered_by or actor.name,
                wave_id=wave_id,
                row_outcomes=json.dumps(counts),
            )
            result.batch_id = store.responses.replace_team_results(db, wave_id, rows, batch, whole_wave=False)
    return result


# CX outcomes ---------------------------------------------------------------------------------


@_role("editor", scoped=True)
def save_cx_outcomes(
    db: Database, rows: pd.DataFrame, replace_period: str | None = None, *, actor: Actor = LOCAL
) -> dict[str, int]:
    """Write checked figures (outcomes.check_grid's rows) in one transaction; returns what changed. Someone
    who looks after some teams writes only their teams' figures (access.Refused naming another team), and a
    replaced period removes only their teams' figures."""
    _refuse_demo(db, "Typed CX outcome figures")
    with _writing(db, actor, "CX outcomes saved", replace_period or ""):
        _refuse_outside(db, actor, rows["team_id"], "Saving CX outcomes")
        return store.outcomes.save_cx_outcomes(db, rows, replace_period, within=_scope(db, actor))


@_role("editor", scoped=True)
def import_outcomes(
    db: Database, data: bytes, file_name: str, dry_run: bool = False, *, actor: Actor = LOCAL
) -> OutcomeImport:
    """Check an outcomes file and, where every cell is good, upsert its figures in one transaction.

    All or nothing: with any problem nothing is written. Figures are keyed on team, period and measure,
    so importing the same file again changes nothing. Raises ImportRejected where the file is unreadable.
    """
    _refuse_demo(db, file_name)
    found = read_outcomes(data, file_name, store.org.team_ids(db), upload_limits(db))
    if not found.problems:
        _refuse_outside(db, actor, found.rows["team_id"], f"Nothing was imported from {file_name}")
    if found.problems:
        planned = changes(empty_outcomes(), empty_outcomes())
    else:
        planned = changes(found.rows, store.outcomes.cx_outcomes(db))
    if found.problems or dry_run:
        return OutcomeImport(found, planned, change_counts(planned), written=False)
    return OutcomeImport(found, planned, save_cx_outcomes(db, found.rows, actor=actor), written=True)


# Kotter board --------------------------------------------------------------------------------


@_role("editor")
def save_kotter_steps(
    db: Database,
    initiative_id: int,
    rows: Iterable[Mapping[str, Any]],
    today: date,
    label_set: str = "current",
    *,
    actor: Actor = LOCAL,
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
    with _writing(db, actor, "Kotter board saved", f"initiative {initiative_id}"):
        if store.org.initiative_name(db, initiative_id) is None:
            raise ValueError(f"There is no initiative with id {initiative_id}; nothing was saved.")
        stored = {int(row["step"]): row for row in store.kotter.kotter_steps(db, initiative_id).to_dict("records")}
        changed = [
            row for row in checked if kotter.stored_values(row) != kotter.stored_values(stored.get(row["step"], {}))
        ]
        store.kotter.save_steps(db, initiative_id, changed, today)
    return [row["step"] for row in changed]


# Actions log ---------------------------------------------------------------------------------


@_role("editor", scoped=True)
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
    session_id: int | None = None,
    today: date,
    actor: Actor = LOCAL,
) -> int:
    """Log a new open action, created `today`; returns its id.

    Every field is checked first (actions.check_new_action: owner and due date are required): a refused one
    raises ValueError naming the field and its value, and nothing is written. `session_id`: the workshop
    session that captured it (start_workshop_session), which must be a session of this initiative.
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
    with _writing(db, actor, "action added", str(title)):
        access.require_in_scope(actor, store.org.teams(db), team_id, "Adding an action")
        if store.org.initiative_name(db, initiative_id) is None:
            raise ValueError(f"Initiative: {initiative_id!r} is not an initiative of this workspace.")
        clean = actions.check_new_action(values, set(store.org.team_ids(db).values()))
        if session_id is not None:
            found = store.workshop.session(db, int(session_id)) if _team_or_none(session_id) else None
            if found is None or found["initiative_id"] != initiative_id:
                raise ValueError(
                    f"Workshop session: {session_id!r} is not a session of this initiative; start the session again."
                )
        return store.actions.insert_action(
            db, initiative_id, clean, today.isoformat(), None if session_id is None else int(session_id)
        )


@_role("editor", scoped=True)
def start_workshop_session(
    db: Database,
    initiative_id: int,
    wave_id: int | None,
    teams: Iterable[str] = (),
    *,
    actor: Actor = LOCAL,
) -> int:
    """Start a workshop session of an initiative's wave stepping through `teams` (names); returns its id, which
    the session's link carries and its captured actions keep. Someone who looks after some teams starts
    sessions about their teams only (access.Refused naming the team)."""
    chosen = [str(team) for team in teams]
    with _writing(db, actor, "workshop session started", f"initiative {initiative_id}") as detail:
        if store.org.initiative_name(db, initiative_id) is None:
            raise ValueError(f"Initiative: {initiative_id!r} is not an initiative of this workspace.")
        waves = store.org.waves(db, initiative_id)
        if wave_id is not None and int(wave_id) not in set(waves["id"].astype(int)):
            raise ValueError(f"Wave: {wave_id!r} is not a wave of this initiative.")
        every = store.org.teams(db)  # archived teams too: a past wave's screen shows the teams it had
        ids = dict(zip(every["name"], every["id"].astype(int), strict=True))
        unknown = [team for team in chosen if team not in ids]
        if unknown:
            raise ValueError(f"Team: {', '.join(map(repr, unknown))} is not a team of this workspace.")
        _refuse_outside(db, actor, [ids[team] for team in chosen], "Starting a workshop session")
        session_id = store.workshop.insert_session(
            db, initiative_id, None if wave_id is None else int(wave_id), _now(), actor.name, chosen
        )
        detail |= {"session": session_id, "wave": wave_id, "teams": chosen}
    return session_id


@_role("editor", scoped=True)
def update_actions(
    db: Database, edits: Iterable[Mapping[str, Any]], *, today: date, actor: Actor = LOCAL
) -> list[dict[str, Any]]:
    """Apply edits ({"id": ..., field: value, ...}, fields of actions.EDITABLE) in one transaction.

    Every edit is checked first (actions.check_changes): any problem raises ValueError naming the
    action, the field and the value, and nothing is written; an open action keeps its owner and due date
    (blanking either is refused, naming the action). Closing an action (done or dropped)
    sets closed_on to `today`; reopening it clears closed_on. Returns what changed, one dict per
    field (id, title, field, before, after), closed_on included; a value equal to the stored one is
    no change. Someone who looks after some teams edits only their teams' actions and gives them only to
    their teams (access.Refused naming the team; a programme-wide action, of no team, is not theirs).
    """
    edits = [dict(edit) for edit in edits]
    with _writing(db, actor, "actions edited", ""):
        stored = store.actions.stored_actions(db, [edit.get("id") for edit in edits])
        titles = {action_id: row["title"] for action_id, row in stored.items()}
        # before the edits are checked, so no problem names another team's action
        touched = [row["team_id"] for row in stored.values()]
        touched += [edit["team_id"] for edit in edits if "team_id" in edit and _team_or_none(edit["team_id"])]
        _refuse_outside(db, actor, touched, "Editing actions")
        statuses = {action_id: row["status"] for action_id, row in stored.items()}
        checked = actions.check_changes(edits, titles, set(store.org.team_ids(db).values()), statuses)
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


@_role("editor", scoped=True)
def set_votes(db: Database, votes: Mapping[int, Any], *, actor: Actor = LOCAL) -> None:
    """Set the dot-votes of actions (id -> votes) in one transaction; a refused count or an unknown id
    raises ValueError naming the action and the value, and nothing is written. Someone who looks after
    some teams sets the votes of their teams' actions only (access.Refused naming the team)."""
    with _writing(db, actor, "workshop votes set", ""):
        stored = store.actions.stored_actions(db, votes)
        titles = {action_id: row["title"] for action_id, row in stored.items()}
        _refuse_outside(db, actor, [row["team_id"] for row in stored.values()], "Setting workshop votes")
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


@_role("editor", scoped=True)
def add_champion(
    db: Database, alias: Any, team: Any, started_on: Any, ended_on: Any = None, *, actor: Actor = LOCAL
) -> int:
    """Add a champion to the roster (team by name or id); returns the id.

    Checked first: a blank name, an unknown team, a date that is no date, an end before the start
    or a champion already in the roster (same name, team and start) raise ValueError naming the
    field and the value, and nothing is written.
    """
    with _writing(db, actor, "champion added", str(alias)):
        row, problems = champions.check_champion(alias, team, started_on, ended_on, store.org.team_ids(db))
        if problems:
            raise ValueError(champions.describe_problems(problems))
        _refuse_outside(db, actor, [row["team_id"]], f"Adding {row['alias']}")
        if twin := _roster_twin(db, row):
            raise ValueError(f"{twin} is already in the roster of that team from {row['started_on']}.")
        return store.champions.insert_champion(db, row)


@_role("editor", scoped=True)
def update_champions(db: Database, edits: Iterable[Mapping[str, Any]], *, actor: Actor = LOCAL) -> int:
    """Change roster entries (id, alias, team, started_on, ended_on; team by name or id) in one transaction.

    Every edit is checked before anything is written: the roster rules of add_champion, and a
    champion's logged sessions must stay within their new start and end. Any problem raises
    ValueError naming the champion, the field and the value, one line each, and nothing is
    written. Returns how many champions changed (an edit equal to the stored row is no change).
    """
    edits = [dict(edit) for edit in edits]
    changed, problems = [], []
    with _writing(db, actor, "champions edited", ""):
        stored = store.champions.stored_champions(db, [edit.get("id") for edit in edits])
        teams = store.org.team_ids(db)
        seen: dict[tuple, str] = {}
        for edit in edits:
            current = stored.get(edit.get("id"))
            if current is None:
                problems.append(f"There is no champion with id {edit.get('id')!r} in this workspace.")
                continue
            _refuse_outside(db, actor, [current["team_id"]], f"Editing champion {current['id']}")  # no name shown
            row, found = champions.check_champion(
                edit.get("alias"), edit.get("team"), edit.get("started_on"), edit.get("ended_on"), teams
            )
            if found:
                problems.append(champions.describe_problems(found, current["alias"]))
                continue
            _refuse_outside(db, actor, [row["team_id"]], f"Editing {current['alias']}")
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


@_role("editor", scoped=True)
def retire_champion(db: Database, champion_id: int, ended_on: Any, *, actor: Actor = LOCAL) -> None:
    """Record that a champion stepped down on `ended_on` (checked as update_champions checks an edit)."""
    stored = store.champions.stored_champions(db, [champion_id]).get(champion_id)
    if stored is None:
        raise ValueError(f"There is no champion with id {champion_id!r} in this workspace.")
    _refuse_outside(db, actor, [stored["team_id"]], f"Editing champion {champion_id}")  # before their name shows
    if ended_on is None or not str(ended_on).strip():
        raise ValueError(f"{stored['alias']}: End: (empty): say on which day they stepped down.")
    update_champions(db, [stored | {"team": stored["team_id"], "ended_on": ended_on}], actor=actor)


@_role("editor", scoped=True)
def add_champion_activity(
    db: Database,
    champion_id: int,
    kind: Any,
    happened_on: Any,
    people_reached: Any,
    note: Any = None,
    today: date | None = None,
    *,
    actor: Actor = LOCAL,
) -> int:
    """Log a champion's session; returns its id.

    Checked first (champions.check_activity): an unknown champion or kind, a date in the future or
    outside the champion's time, people reached that is no whole number of 0 or more raise
    ValueError naming the field and the value, and nothing is written.
    """
    with _writing(db, actor, "champion activity logged", f"champion {champion_id}"):
        champion = store.champions.stored_champions(db, [champion_id]).get(champion_id)
        if champion is None:
            raise ValueError(f"There is no champion with id {champion_id!r} in this workspace.")
        _refuse_outside(db, actor, [champion["team_id"]], f"Logging a session of champion {champion_id}")
        row = champions.check_activity(champion, kind, happened_on, people_reached, note, today or date.today())
        return store.champions.insert_activity(db, champion_id, row)


@_role("editor", scoped=True)
def import_roster(
    db: Database,
    data: bytes,
    file_name: str,
    dry_run: bool = False,
    imported_by: str | None = None,
    *,
    actor: Actor = LOCAL,
) -> RosterImport:
    """Check a roster file and, where every row is good, add its new champions as one batch.

    All or nothing: with any problem nothing is written; a dry run writes nothing either. The same
    file again (same bytes) changes nothing. Raises ImportRejected where the file cannot be read.
    """
    _refuse_demo(db, file_name)
    found = read_roster(data, file_name, upload_limits(db))
    file_hash = hashlib.sha256(data).hexdigest()
    # A dry run only reads (no write lock), so a preview never holds up other people's saves.
    with _writing(db, actor, "champion roster imported", file_name, commit=not dry_run, immediate=not dry_run):
        earlier = store.champions.champion_batch_with_hash(db, file_hash)
        if earlier:
            return RosterImport(file_name, None, already_imported=earlier, ignored_columns=found.ignored_columns)
        if actor.team_id is not None:
            _refuse_outside_roster(db, actor, found, file_name)
        plan = plan_roster(found, store.org.team_ids(db), store.champions.champion_roster(db))
        result = RosterImport(file_name, plan, ignored_columns=found.ignored_columns)
        if plan.problems or dry_run or not plan.additions:
            return result
        outcomes = {"counts": plan.counts(), "rows": [asdict(r) for r in plan.rows if r.outcome != "add"]}
        batch = _batch(
            file_name,
            file_hash,
            "champions",
            imported_by or actor.name,
            row_outcomes=json.dumps(outcomes, ensure_ascii=False),
        )
        result.batch_id = store.champions.insert_champion_batch(db, batch, plan.additions)
    return result


def _refuse_outside_roster(db: Database, actor: Actor, found: RosterFile, file_name: str) -> None:
    """Refuse (access.Refused) a roster file with a row of a team outside a scoped editor's teams, naming the rows."""
    teams, ids = store.org.teams(db), store.org.team_ids(db)
    inside = access.scope_ids(teams, actor.team_id) or frozenset()
    names = dict(zip(teams["id"].astype(int), teams["name"], strict=True))
    outside = [
        (number, names[team])
        for number, cells in found.rows
        if (team := champions.find_team(cells.get("team"), ids)) is not None and team not in inside
    ]
    if outside:
        rows = ", ".join(f"row {number} ({name})" for number, name in outside[:10])
        more = f" and {plural(len(outside) - 10, 'more row')}" if len(outside) > 10 else ""
        scope = names.get(actor.team_id, f"team {actor.team_id}")
        verb = "is" if len(outside) == 1 else "are"
        raise access.Refused(
            f"Nothing was imported from {file_name}: {rows}{more} {verb} outside the teams you look after "
            f"({scope} and the teams below it). Ask your cxchange admin."
        )


@_role("editor", scoped=True)
def undo_champion_batch(db: Database, batch: int, *, actor: Actor = LOCAL) -> dict[str, int]:
    """Remove a roster import whole: its champions and the sessions logged for them since.

    Returns how many champions and activities went; raises ValueError where there is no such roster import.
    """
    kept = _backup_first(db, "before-undo")
    with _writing(db, actor, "champion roster undone", f"batch {batch}") as detail:
        detail["backup"] = kept.name
        _refuse_others_batch(db, actor, batch)
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


@_role("editor")
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
    actor: Actor = LOCAL,
) -> int:
    """Log what a sponsor did for the initiative (checked by health.check_sponsor_activity); returns its id.

    A refused field raises ValueError naming it and its value, and nothing is written.
    """
    row = health.check_sponsor_activity(sponsor, happened_on, kind, note, today)
    with _writing(db, actor, "sponsor activity logged", f"initiative {initiative_id}"):
        _initiative_name(db, initiative_id)
        if team_id is not None and int(team_id) not in store.org.team_ids(db).values():
            raise ValueError(f"Nothing logged: there is no team with id {team_id!r}.")
        return store.health.insert_sponsor_activity(db, initiative_id, None if team_id is None else int(team_id), row)


@_role("editor")
def tick_check(
    db: Database,
    initiative_id: int,
    check_name: str,
    ticked: bool,
    note: str | None,
    today: date,
    *,
    actor: Actor = LOCAL,
) -> int:
    """Record a facilitator's tick (or explicit untick) of a check, dated `today`; returns its id.

    Ticks are never overwritten: the new row becomes the check's current tick. A refused check, or a
    tick without a note, raises ValueError and nothing is written.
    """
    row = health.check_tick(check_name, ticked, note)
    with _writing(db, actor, "health check ticked", check_name):
        _initiative_name(db, initiative_id)
        return store.health.insert_tick(db, initiative_id, row, today.isoformat())


@_role("admin")
def set_initiative_owner(db: Database, initiative_id: int, owner: str, *, actor: Actor = LOCAL) -> None:
    """Name the one person accountable for an initiative; an empty or overlong name raises ValueError."""
    name = actions.check_owner(owner, required=True)
    with _writing(db, actor, "initiative owner set", f"initiative {initiative_id}"):
        _initiative_name(db, initiative_id)
        store.health.set_initiative_owner(db, initiative_id, name)


# Organisation: teams, merges, initiatives, waves, the question bank --------------------------


class TeamsRefused(ValueError):
    """Rows of teams that cannot be saved; `problems` holds one sentence per problem, each naming its row."""

    def __init__(self, problems: list[str]):
        super().__init__("Nothing was saved: " + " ".join(problems))
        self.problems = problems


def _stored_rows(plan: organisation.TeamPlan) -> list[dict[str, Any]]:
    """The plan's new and changed teams as store.org.save_teams takes them (an archived team keeps its day)."""
    return [
        {
            "id": team.id,
            "name": team.name,
            "parent": team.parent,
            "headcount": team.headcount,
            "code": team.code,
            "archived": team.archived,
        }
        for team in plan.teams
        if team.outcome != "unchanged"
    ]


def _save_planned(db: Database, plan: organisation.TeamPlan, today: date) -> None:
    teams = store.org.teams(db).set_index("id")
    rows = []
    for row in _stored_rows(plan):
        was = teams["archived_on"].get(row["id"]) if row["id"] is not None else None
        kept = None if was is None or pd.isna(was) else str(was)
        rows.append(row | {"archived_on": (kept or today.isoformat()) if row.pop("archived") else None})
    store.org.save_teams(db, rows)


@_role("admin")
def save_teams(
    db: Database, rows: Iterable[Mapping[str, Any]], today: date | None = None, *, actor: Actor = LOCAL
) -> organisation.TeamPlan:
    """Add, rename, re-parent, set headcounts of and archive teams (the Organisation grid's rows), in one transaction.

    Each row: `row` (how messages name it), `id` (None: a new team) and any of organisation.TEAM_FIELDS.
    Every row is checked first (organisation.plan_teams): any problem raises TeamsRefused naming the row
    and the value, and nothing is written. Returns the plan (what was created, updated, left as it was).
    """
    today = today or date.today()
    with _writing(db, actor, "teams saved", ""):
        plan = organisation.plan_teams(store.org.teams(db), rows)
        if plan.problems:
            raise TeamsRefused(plan.problems)
        _save_planned(db, plan, today)
    return plan


@dataclass
class TeamImport:
    """What an org file did or would do: its rows' plan, the file's own problems, the columns read and left out."""

    file_name: str
    plan: organisation.TeamPlan
    columns: dict[str, str]
    ignored_columns: list[str]
    written: bool

    @property
    def problems(self) -> list[str]:
        return self.plan.problems

    def report_lines(self) -> list[str]:
        """What the command line prints: a line per row, then the summary."""
        read = ", ".join(f"{field} from “{heading}”" for field, heading in self.columns.items())
        lines = [f"Read {self.file_name}: {read}."]
        if self.ignored_columns:
            lines.append(f"Columns left out: {', '.join(self.ignored_columns)}.")
        lines += [team.sentence() for team in self.plan.teams]
        verb = "Saved" if self.written else "Dry run, nothing written"
        lines.append(f"{verb}: {self.plan.summary()}")
        return lines


@_role("admin")
def import_teams(
    db: Database,
    data: bytes,
    file_name: str,
    dry_run: bool = False,
    today: date | None = None,
    *,
    actor: Actor = LOCAL,
) -> TeamImport:
    """Build or update the team tree from an org file (team, parent team, headcount, optional code), all or nothing.

    Rows match stored teams by code, then by name key (organisation.match_teams); they are checked as
    save_teams checks the grid, and the file's own problems (a team twice) too. Raises ImportRejected
    where the file cannot be read; with any problem the result holds them and nothing is written; a
    dry run writes nothing either.
    """
    _refuse_demo(db, file_name)
    found = organisation.read_org_file(data, file_name, upload_limits(db))
    today = today or date.today()
    with _writing(db, actor, "org file imported", file_name, commit=not dry_run, immediate=not dry_run):
        teams = store.org.teams(db)
        plan = organisation.plan_teams(teams, organisation.match_teams(teams, found.rows))
        plan.problems = found.problems + plan.problems
        result = TeamImport(file_name, plan, found.columns, found.ignored_columns, written=False)
        if plan.problems or dry_run:
            return result
        _save_planned(db, plan, today)
        result.written = True
    return result


@_role("admin")
def merge_teams(
    db: Database,
    from_team: int,
    into_team: int,
    merged_by: str | None = None,
    now: datetime | None = None,
    *,
    actor: Actor = LOCAL,
) -> dict[str, Any]:
    """Merge one team into another, in one transaction: every response, entered result, champion, action, CX
    figure and sponsor activity of `from_team` moves to `into_team`, the teams below it report to `into_team`,
    the headcounts add up, people who looked after `from_team` look after `into_team`, and `from_team` is
    archived; all recorded in team_merges (the people under moved["users"]) so undo_merge puts it back.

    Refused (ValueError, nothing written) where organisation.check_merge refuses, or where both teams hold an
    entered result for one wave and element or a CX figure for one period and measure: the kept team can hold
    only one per key, and which one is right is the user's call, so the message names each clash.
    Returns the merge's record: id, from_name, into_name, moved, summary.
    """
    now = now or datetime.now()
    kept = _backup_first(db, "before-merge")
    with _writing(db, actor, "teams merged", f"team {from_team} into {into_team}") as detail:
        detail["backup"] = kept.name
        teams = store.org.teams(db)
        from_name, into_name = organisation.check_merge(teams, from_team, into_team)
        clashes = organisation.merge_clashes(from_name, into_name, *store.org.shared_keys(db, from_team, into_team))
        if clashes:
            raise ValueError("Nothing was merged: " + " ".join(clashes))
        by_id = teams.set_index("id")
        moved = store.org.team_rows(db, from_team)
        moved["before"] = {
            "from_headcount": _int_or_none(by_id.at[from_team, "headcount"]),
            "into_headcount": _int_or_none(by_id.at[into_team, "headcount"]),
        }
        store.org.move_team_rows(db, moved, from_team, into_team)
        people = store.people.users(db)
        moved["users"] = sorted(people.loc[people["team_id"] == from_team, "email"])  # who looked after it
        store.people.move_scopes(db, from_team, into_team)
        store.org.set_team_state(db, from_team, moved["before"]["from_headcount"], now.date().isoformat())
        store.org.set_team_state(
            db,
            into_team,
            organisation.merged_headcount(moved["before"]["from_headcount"], moved["before"]["into_headcount"]),
            None,
        )
        merge_id = store.org.add_merge(
            db,
            {
                "from_team_id": from_team,
                "from_name": from_name,
                "into_team_id": into_team,
                "merged_at": now.isoformat(timespec="seconds"),
                "merged_by": merged_by or actor.name,
                "moved": json.dumps(moved),
            },
        )
    return {
        "id": merge_id,
        "from_name": from_name,
        "into_name": into_name,
        "moved": moved,
        "summary": "Merged "
        + organisation.merge_summary(from_name, into_name, moved)
        + _scopes_moved(moved, into_name),
    }


def _scopes_moved(moved: Mapping[str, Any], team: str) -> str:
    """The sentence a merge's summary ends with where people looked after the merged team: whose scope moved."""
    people = moved.get("users", [])
    if not people:
        return ""
    return f" {', '.join(people)} now {'looks' if len(people) == 1 else 'look'} after {team}."


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


@_role("admin")
def undo_merge(db: Database, merge_id: int, now: datetime | None = None, *, actor: Actor = LOCAL) -> str:
    """Put a merge back as it was, in one transaction: what it moved goes back, the teams below the merged-away
    team report to it again, both headcounts are restored and it is active again. Only a team's latest merge
    that is still in place can be undone (a later one may have moved the same rows on); ValueError otherwise,
    nothing written. Returns a sentence on what moved back."""
    now = now or datetime.now()
    kept = _backup_first(db, "before-undo-merge")
    with _writing(db, actor, "merge undone", f"merge {merge_id}") as detail:
        detail["backup"] = kept.name
        merges = store.org.merges(db)
        found = merges[merges["id"] == merge_id]
        if found.empty:
            raise ValueError(f"Nothing was undone: there is no merge with id {merge_id!r}.")
        merge = found.iloc[0]
        if merge["undone_at"] is not None and not pd.isna(merge["undone_at"]):
            raise ValueError(
                f"Nothing was undone: the merge of {merge['from_name']} into {merge['into_name']} was undone "
                f"on {merge['undone_at'][:10]}."
            )
        teams = {int(merge["from_team_id"]), int(merge["into_team_id"])}
        later = merges[
            (merges["id"] > merge_id)
            & merges["undone_at"].isna()
            & (merges["from_team_id"].isin(teams) | merges["into_team_id"].isin(teams))
        ]
        if not later.empty:
            other = later.iloc[-1]
            raise ValueError(
                f"Nothing was undone: undo the later merge of {other['from_name']} into {other['into_name']} first."
            )
        moved = json.loads(merge["moved"])
        from_team, into_team = int(merge["from_team_id"]), int(merge["into_team_id"])
        store.org.move_team_rows(db, moved, into_team, from_team)
        # only those the merge moved, and only where their scope is still the kept team
        store.people.move_scopes(db, into_team, from_team, emails=moved.get("users", []))
        before = moved.get("before", {})
        store.org.set_team_state(db, from_team, before.get("from_headcount"), None)
        store.org.set_team_state(db, into_team, before.get("into_headcount"), None)
        store.org.set_merge_undone(db, merge_id, now.isoformat(timespec="seconds"))
    summary = organisation.merge_summary(str(merge["from_name"]), str(merge["into_name"]), moved)
    return "Undid the merge of " + summary + _scopes_moved(moved, str(merge["from_name"]))


@_role("admin")
def add_initiative(
    db: Database,
    name: str,
    owner: str | None = None,
    sponsor: str | None = None,
    today: date | None = None,
    *,
    actor: Actor = LOCAL,
) -> int:
    """Create an initiative with its owner and sponsor (names as text); returns its id.

    A blank or overlong name, a name another initiative has (ignoring case and spaces), or an overlong
    owner or sponsor raises ValueError naming the value; nothing is written.
    """
    clean = organisation.check_title(name, "initiative")
    owner_name = organisation.check_person(owner, "Owner")
    sponsor_name = organisation.check_person(sponsor, "Sponsor")
    with _writing(db, actor, "initiative added", name):
        _refuse_taken_initiative(db, clean)
        return store.org.add_initiative(db, clean, (today or date.today()).isoformat(), owner_name, sponsor_name)


def _refuse_taken_initiative(db: Database, name: str, other_than: int | None = None) -> None:
    initiatives = store.org.initiatives(db)
    taken = initiatives[(initiatives["name"].map(names.key) == names.key(name)) & (initiatives["id"] != other_than)]
    if not taken.empty:
        raise ValueError(f"There is already an initiative called {taken['name'].iloc[0]}: choose another name.")


@_role("admin")
def update_initiative(
    db: Database, initiative_id: int, name: str, owner: str | None, sponsor: str | None, *, actor: Actor = LOCAL
) -> None:
    """Rename an initiative and name its owner and sponsor (checked as add_initiative checks them)."""
    clean = organisation.check_title(name, "initiative")
    owner_name = organisation.check_person(owner, "Owner")
    sponsor_name = organisation.check_person(sponsor, "Sponsor")
    with _writing(db, actor, "initiative edited", name):
        _initiative_name(db, initiative_id)
        _refuse_taken_initiative(db, clean, other_than=initiative_id)
        store.org.update_initiative(db, initiative_id, clean, owner_name, sponsor_name)


@_role("admin")
def archive_initiative(
    db: Database, initiative_id: int, archived: bool = True, today: date | None = None, *, actor: Actor = LOCAL
) -> None:
    """Archive an initiative (it leaves the pickers, its waves and board stay) or bring it back."""
    with _writing(db, actor, "initiative archived", f"initiative {initiative_id}"):
        _initiative_name(db, initiative_id)
        store.org.set_initiative_archived(db, initiative_id, (today or date.today()).isoformat() if archived else None)


@_role("admin")
def add_wave(
    db: Database,
    initiative: str,
    name: str,
    opens: Any,
    closes: Any = None,
    today: date | None = None,
    *,
    actor: Actor = LOCAL,
) -> tuple[int, bool]:
    """Create a wave of an initiative (by name; created where new) before any file arrives.

    Checked by organisation.check_wave (opening date required, closing date not before it, the name not
    used in that initiative): ValueError naming the value, nothing written. Returns the wave's id and
    whether the initiative was created.
    """
    initiative_name = organisation.check_title(initiative, "initiative")
    with _writing(db, actor, "wave added", name):
        initiative_id = store.org.initiative_id(db, initiative_name)
        if initiative_id is None:
            known = store.org.initiatives(db)
            same = known[known["name"].map(names.key) == names.key(initiative_name)]
            initiative_id = int(same["id"].iloc[0]) if not same.empty else None
        others = store.org.waves(db, initiative_id)["name"] if initiative_id is not None else []
        wave = organisation.check_wave(name, opens, closes, others, initiative_name)
        created = initiative_id is None
        if created:
            initiative_id = store.org.add_initiative(db, initiative_name, (today or date.today()).isoformat())
        return store.org.add_wave(db, initiative_id, wave["name"], wave["opened_on"], wave["closes_on"]), created


@_role("admin")
def update_wave(db: Database, wave_id: int, name: str, opens: Any, closes: Any = None, *, actor: Actor = LOCAL) -> None:
    """Rename a wave and set its dates (checked as add_wave checks them)."""
    with _writing(db, actor, "wave edited", name):
        waves = store.org.waves(db)
        found = waves[waves["id"] == wave_id]
        if found.empty:
            raise ValueError(f"There is no wave with id {wave_id!r}.")
        initiative_id = int(found["initiative_id"].iloc[0])
        siblings = waves[(waves["initiative_id"] == initiative_id) & (waves["id"] != wave_id)]["name"]
        wave = organisation.check_wave(name, opens, closes, siblings, str(found["initiative"].iloc[0]))
        store.org.update_wave(db, wave_id, wave["name"], wave["opened_on"], wave["closes_on"])


@_role("admin")
def delete_wave(db: Database, wave_id: int, *, actor: Actor = LOCAL) -> str:
    """Delete a wave that holds nothing yet (no responses, entered results or imports); returns its name.

    A wave with data is refused (ValueError saying what it holds): undo its imports first.
    """
    with _writing(db, actor, "wave deleted", f"wave {wave_id}"):
        waves = store.org.waves(db)
        found = waves[waves["id"] == wave_id]
        if found.empty:
            raise ValueError(f"There is no wave with id {wave_id!r}.")
        name = str(found["name"].iloc[0])
        held = store.org.wave_contents(db, wave_id)
        if any(held.values()):
            what = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in held.items() if count)
            raise ValueError(f"Wave {name} holds {what}: undo its imports under Import & entry before deleting it.")
        store.org.delete_wave(db, wave_id)
    return name


@_role("admin")
def add_item(db: Database, element: str, text: str, code: str | None = None, *, actor: Actor = LOCAL) -> str:
    """Add a statement to the question bank (questions.check_item); returns its code. ValueError, nothing
    written, where the wording repeats another item's or the code is taken."""
    with _writing(db, actor, "item added", text):
        item = questions.check_item(store.bank.items(db), element, text, code)
        store.bank.add_items(db, [item])
    return item["code"]


@_role("admin")
def set_item_active(db: Database, code: str, active: bool, today: date | None = None, *, actor: Actor = LOCAL) -> None:
    """Retire a bank item (kept for the waves that asked it, matched no more in new files) or bring it back."""
    with _writing(db, actor, "item retired or restored", code):
        items = store.bank.items(db)
        if code not in set(items["code"]):
            raise ValueError(f"There is no item with code {code!r} in the question bank.")
        store.bank.set_item_active(db, code, active, (today or date.today()).isoformat())


# People and the audit trail ------------------------------------------------------------------


@_role("admin")
def save_user(
    db: Database, email: object, role: object, team: object = None, *, actor: Actor = LOCAL
) -> dict[str, Any]:
    """Give a person a role, for the whole organisation or a team (by name or id) and everything below it;
    replaces what they had. Refused (access.Refused, one sentence) for a bad address, role or team, and
    where a signed-in admin would take away the last admin role held by anyone, themselves included."""
    address, chosen = access.check_email(email), access.check_role(role)
    with _writing(db, actor, "role given", address) as detail:
        team_id = _scope_team(db, team)
        if chosen == "admin" and team_id is not None:
            raise access.Refused("An admin looks after the whole organisation: choose no team for an admin.")
        before = store.people.users(db)
        _refuse_losing_the_last_admin(actor, before, address, chosen)
        previous = before[before["email"] == address]
        detail["before"] = None if previous.empty else previous.iloc[0][["role", "team"]].to_dict()
        names = dict(zip(store.org.teams(db)["id"].astype(int), store.org.teams(db)["name"], strict=True))
        detail["after"] = {"role": chosen, "team": names.get(team_id)}
        store.people.save_user(db, address, chosen, team_id, _now(), actor.name)
    return detail["after"] | {"email": address}


@_role("admin")
def remove_user(db: Database, email: object, *, actor: Actor = LOCAL) -> None:
    """Take a person's role away (they see "ask your admin" at their next visit)."""
    address = access.check_email(email)
    with _writing(db, actor, "role removed", address) as detail:
        before = store.people.users(db)
        if address not in set(before["email"]):
            raise access.Refused(f"{address} has no role here, so there is nothing to remove.")
        _refuse_losing_the_last_admin(actor, before, address, None)
        detail["before"] = before[before["email"] == address].iloc[0][["role", "team"]].to_dict()
        store.people.remove_user(db, address)


def _scope_team(db: Database, team: object) -> int | None:
    if team is None or (isinstance(team, str) and not team.strip()) or pd.isna(team):
        return None
    ids = store.org.team_ids(db)
    if isinstance(team, str) and team.strip() in ids:
        return int(ids[team.strip()])
    if str(team).strip().isdigit() and int(str(team).strip()) in set(ids.values()):
        return int(str(team).strip())
    raise access.Refused(f"There is no team called {team!r}; a scope is a team of the organisation, or none.")


def _refuse_losing_the_last_admin(actor: Actor, users: pd.DataFrame, email: str, role: str | None) -> None:
    """In the app, nobody takes the last admin role away (the command line can always give one back)."""
    admins = set(users.loc[users["role"] == "admin", "email"])
    if not actor.local and admins == {email} and role != "admin":
        raise access.Refused(f"{email} is the last admin; give someone else the admin role first.")


@_role("admin")
def users(db: Database, *, actor: Actor = LOCAL) -> pd.DataFrame:
    """Everyone with a role (store.people.users), for admins."""
    return store.people.users(db)


@_role("admin")
def audit_trail(db: Database, since: str | None = None, by: str | None = None, *, actor: Actor = LOCAL) -> pd.DataFrame:
    """The audit trail (store.people.audit), newest first, for admins."""
    return store.people.audit(db, since, by)


def signed_in_actor(db: Database, email: str, admins: Iterable[str]) -> Actor | None:
    """Who a signed-in e-mail is here (access.signed_in), or None where they have no role."""
    return access.signed_in(email, store.people.users(db), admins, store.org.teams(db)["id"].astype(int))


# Live pulses ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PulseForm:
    """What a pulse link shows a phone: the statements, the teams to choose from, the comment question."""

    pulse_id: int
    token: str
    wave: str
    questions: list[pulses.Question]
    teams: dict[int, str]
    comment_question: str | None
    closes_at: str


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


@_role("editor", scoped=True)
def open_pulse(
    db: Database,
    wave_id: int,
    teams: Iterable[str],
    *,
    form: str = "short",
    outcome: bool = False,
    comment_question: str | None = None,
    minutes: int | None = None,
    now: datetime | None = None,
    actor: Actor = LOCAL,
) -> dict[str, Any]:
    """Open a live pulse on a wave for `teams` (names); returns the pulse (its token is in the link). Its
    answers come in as responses of the wave in one import batch of its own (undo removes them whole).
    Someone who looks after some teams opens pulses for their teams only; the demo workspace takes none."""
    chosen = list(dict.fromkeys(str(team) for team in teams))
    opened = _utc(now)
    with _writing(db, actor, "pulse opened", f"wave {wave_id}") as detail:
        _refuse_demo(db, "A live pulse's answers", then="open the pulse there")
        waves = store.org.waves(db)
        wave = waves[waves["id"].astype(int) == int(wave_id)] if _team_or_none(wave_id) else waves.iloc[0:0]
        if wave.empty:
            raise ValueError(f"Wave: {wave_id!r} is not a wave of this workspace.")
        if not chosen:
            raise ValueError("Teams: choose at least one team to ask.")
        current = store.org.teams(db, archived=False)
        ids = dict(zip(current["name"], current["id"].astype(int), strict=True))
        unknown = [team for team in chosen if team not in ids]
        if unknown:
            raise ValueError(f"Team: {', '.join(map(repr, unknown))} is not a current team of this workspace.")
        _refuse_outside(db, actor, [ids[team] for team in chosen], "Opening a pulse")
        asked = pulses.questions(store.bank.items(db), form, outcome)  # refuses a bank that cannot make the form
        question = (comment_question or "").strip() or None
        if question is not None and len(question) > 300:
            raise ValueError(f"Comment question: at most 300 characters, not {len(question)}.")
        minutes = int(store.settings.settings(db)["pulse_minutes"] if minutes is None else minutes)
        closes = pulses.closing(opened, minutes)
        token = secrets.token_urlsafe(18)
        wave_name = str(wave["name"].iloc[0])
        label = f"Live pulse, {wave_name}: {', '.join(chosen)}"
        batch = store.responses.add_batch(
            db,
            _batch(label, hashlib.sha256(token.encode()).hexdigest(), "pulse", actor.name, wave_id=int(wave_id)),
        )
        pulse_id = store.pulses.add_pulse(
            db,
            {
                "token": token,
                "wave_id": int(wave_id),
                "batch_id": batch,
                "form": form,
                "outcome": int(bool(outcome)),
                "comment_question": question,
                "opens_at": opened.isoformat(),
                "closes_at": closes.isoformat(),
                "opened_by": actor.name,
            },
            [ids[team] for team in chosen],
        )
        detail |= {"pulse": pulse_id, "batch": batch, "teams": chosen, "form": form, "items": len(asked),
                   "closes_at": closes.isoformat()}  # fmt: skip
    return store.pulses.pulse_by_token(db, token) | {"teams": chosen}


@_role("editor", scoped=True)
def close_pulse(db: Database, pulse_id: int, *, now: datetime | None = None, actor: Actor = LOCAL) -> int:
    """Close a pulse now: its link stops taking answers; returns how many devices answered."""
    with _writing(db, actor, "pulse closed", f"pulse {pulse_id}") as detail:
        found = store.pulses.pulses(db)
        found = found[found["id"].astype(int) == int(pulse_id)] if _team_or_none(pulse_id) else found.iloc[0:0]
        if found.empty:
            raise ValueError(f"Pulse: {pulse_id!r} is not a pulse of this workspace.")
        _refuse_outside(db, actor, store.pulses.pulse_teams(db, int(pulse_id)), "Closing a pulse")
        store.pulses.close_pulse(db, int(pulse_id), _utc(now).isoformat())
        detail["answers"] = answers = int(found["answers"].iloc[0])
    return answers


def _open_pulse_row(db: Database, token: str, now: datetime) -> dict[str, Any]:
    """The pulse a link names while it takes answers; PulseRefused (the sentence a phone shows) otherwise."""
    found = store.pulses.pulse_by_token(db, str(token)) if isinstance(token, str) and len(token) < 100 else None
    if found is None:
        raise pulses.PulseRefused("This link does not open a pulse. Ask the facilitator for the current link.")
    where = pulses.state(found["opens_at"], found["closes_at"], found["closed_at"], now)
    if where != "open":
        raise pulses.PulseRefused(
            "This pulse has closed: it takes no more answers. Thank you for your time."
            if where == "closed"
            else "This pulse has not opened yet."
        )
    return found


def _asked_teams(db: Database, pulse_id: int, form: Mapping[str, str] | None = None) -> dict[int, str]:
    """The teams a pulse still takes answers for: those it covers that have not been archived (or merged
    away) since it opened. PulseRefused where none is left, AnswerRefused where `form` names one that went."""
    every = store.pulses.pulse_teams(db, pulse_id)
    current = store.pulses.pulse_teams(db, pulse_id, current=True)
    if not current:
        raise pulses.PulseRefused(
            "This pulse's teams have been archived since it opened, so it takes no more answers. "
            "Ask the facilitator for the current link."
        )
    chosen = str((form or {}).get("team") or "").strip()
    if chosen.isdigit() and int(chosen) in every and int(chosen) not in current:
        raise pulses.AnswerRefused(
            f"{every[int(chosen)]} has been archived since this pulse opened, so the pulse takes no more answers "
            "for it."
        )
    return current


def read_pulse_answer(
    db: Database, pulse_id: int, asked: list[pulses.Question], comment_asked: bool, form: Mapping[str, str]
) -> pulses.Answer:
    """A phone's form checked against the pulse as it is now (pulses.read_answer, on the teams it still takes
    answers for); AnswerRefused with the sentence to show. Stores nothing."""
    return pulses.read_answer(form, asked, _asked_teams(db, pulse_id, form), comment_asked)


def pulse_form(db: Database, token: str, now: datetime | None = None) -> PulseForm:
    """What a pulse link shows (no sign-in: the token is the only key, and it opens this form only)."""
    found = _open_pulse_row(db, token, _utc(now))
    asked = pulses.questions(store.bank.items(db), found["form"], bool(found["outcome"]))
    teams = _asked_teams(db, int(found["id"]))
    return PulseForm(
        int(found["id"]), str(found["token"]), str(found["wave"]), asked, teams, found["comment_question"],
        str(found["closes_at"]),
    )  # fmt: skip


def answer_pulse(db: Database, token: str, device: str, form: Mapping[str, str], now: datetime | None = None) -> str:
    """Store one phone's answer to a pulse as a response of its wave and team, in the pulse's batch: a device
    (`device`, the hash of its per-pulse cookie) that answered before has its answer replaced, never added
    twice. Returns "added" or "replaced". Anonymous: nothing about the person or the device but that hash is
    kept, and no audit entry names an answer (the pulse's own entries say who opened and closed it)."""
    moment = _utc(now)
    with store.write_transaction(db):
        found = _open_pulse_row(db, token, moment)
        pulse_id = int(found["id"])
        asked = pulses.questions(store.bank.items(db), found["form"], bool(found["outcome"]))
        answer = read_pulse_answer(db, pulse_id, asked, found["comment_question"] is not None, form)
        before = store.pulses.device_response(db, pulse_id, device)
        moved_from = store.pulses.device_team(db, pulse_id, device)  # a replacement may change team
        values = pd.DataFrame([answer.values], dtype=float)
        scores = scoring.element_scores_wide(values, store.bank.items(db))
        response = store.responses.next_response_id(db)
        store.responses.insert_responses(
            db,
            pd.DataFrame(
                {
                    "id": [response],
                    "wave_id": [int(found["wave_id"])],
                    "team_id": [answer.team_id],
                    "batch_id": [int(found["batch_id"])],
                    "source_hash": [pulses.source_hash(str(found["token"]), device)],
                    "is_champion": [0],
                    "submitted_on": [moment.date().isoformat()],
                    "comment": [answer.comment],
                    "answers": store.responses.encode_answers(values).to_list(),
                    "complete": scores["complete"].astype(int).to_list(),
                    **{column: scores[column].to_list() for column in (*scoring.STAT_COLUMNS, "outcome")},
                }
            ),
        )
        store.pulses.replace_answer(db, pulse_id, device, before, response)
        _publish_pulse_figures(db, pulse_id, device, {answer.team_id, moved_from} - {None}, moment)
    return "added" if before is None else "replaced"


def _publish_pulse_figures(db: Database, pulse_id: int, device: str, team_ids: set[int], moment: datetime) -> None:
    """Count one device's answer for the teams it touched (its team, and the one it left where a replacement
    moved it) and publish a team's figures afresh where pulses.publishes says they move, in the caller's
    transaction: the room sees figures that change in steps of at least the minimum group size."""
    minimum = int(store.settings.settings(db)["min_group_size"])
    for team_id in sorted(team_ids):
        since = store.pulses.count_submission(db, pulse_id, team_id, device)
        figures = store.pulses.team_figures(db, pulse_id, team_id)
        if pulses.publishes(since, int(figures["n"]), minimum):
            store.pulses.publish(db, pulse_id, team_id, figures, moment.isoformat())


def pulse_published(db: Database, pulse_id: int) -> pd.DataFrame:
    """The figures the room sees of a pulse, per team that has any: team_id, n (the pulse's own answers of
    the team), the five element means, published_at. They move only in steps of at least the minimum group
    size of answers (see answer_pulse), so the presenter's screen shows these, never figures recomputed on
    every answer. `held`: why a team's figures stay off the screen (pulses.held_back), None where they show."""
    found = store.pulses.published(db, int(pulse_id))
    others = store.pulses.other_responses(db, int(pulse_id))
    below = subtree_members(store.org.teams(db))
    below = below.assign(others=below["team_id"].map(others).fillna(0).astype(int))
    others_below = below.groupby("ancestor_id")["others"].sum()
    found["held"] = [pulses.held_back(int(others_below.get(team, 0))) for team in found["team_id"].astype(int)]
    return found


def pulse_comments(
    db: Database, settings: dict[str, Any], pulse_id: int, team_id: int, now: datetime | None = None
) -> tuple[list[str], str]:
    """A team's comments to a pulse, and a sentence saying what is shown: none while the pulse is open (a
    comment appearing right after someone sends would name its author), none where the team's answers to
    the pulse are fewer than the comment minimum, else all of them in a fixed shuffled order."""
    found = store.pulses.pulses(db)
    found = found[found["id"].astype(int) == int(pulse_id)]
    if found.empty:
        return [], "This pulse is no longer one of this workspace's."
    row = found.iloc[0]
    closed_at = row["closed_at"] if isinstance(row["closed_at"], str) else None
    if pulses.state(row["opens_at"], row["closes_at"], closed_at, _utc(now)) != "closed":
        return [], "Comments are shown once the pulse has closed."
    minimum = int(settings["min_comment_group_size"])
    answers, comments = store.pulses.team_comments(db, int(pulse_id), int(team_id))
    if answers < minimum:
        return [], f"Comments are shown for teams of at least {minimum} answers; this one has fewer."
    return pulses.shuffled(comments, str(row["token"])), f"{plural(len(comments), 'comment')}, in no particular order."


def pulses_held(db: Database, initiative_id: int | None, now: datetime | None = None) -> list[dict[str, Any]]:
    """The pulses of an initiative (or all) still open, whose answers every wave view leaves out until they
    close (store.responses.SHOWN): wave, teams, closes_at and the note to show (pulses.held_text)."""
    found = store.pulses.pulses(db)
    if initiative_id is not None:
        found = found[found["initiative_id"].astype(int) == int(initiative_id)]
    moment = _utc(now)
    held = []
    for row in found.itertuples():
        closed_at = row.closed_at if isinstance(row.closed_at, str) else None
        if pulses.state(row.opens_at, row.closes_at, closed_at, moment) == "closed":
            continue
        teams = [str(team) for team in json.loads(row.team_names)]
        held.append({"wave": str(row.wave), "teams": teams, "closes_at": str(row.closes_at),
                     "text": pulses.held_text(str(row.wave), teams, str(row.closes_at))})  # fmt: skip
    return held


def pulse_answer_counts(db: Database, pulse_id: int) -> dict[int, int]:
    """How many devices have answered a pulse, per team id (for the presenter: show it through
    pulses.answer_count_text, never raw below the minimum group size)."""
    return store.pulses.answer_counts(db, int(pulse_id))


@_role("viewer", scoped=True)
def pulse_list(db: Database, wave_id: int | None = None, *, actor: Actor = LOCAL) -> pd.DataFrame:
    """The pulses of a wave (or all), newest first, with their state now; someone who looks after some teams
    sees those about their teams only."""
    found = store.pulses.pulses(db, wave_id)
    now = _utc(None)
    found["state"] = [
        # a frame's missing closing time is NaN, not None, once any pulse in it has closed
        pulses.state(row.opens_at, row.closes_at, row.closed_at if isinstance(row.closed_at, str) else None, now)
        for row in found.itertuples()
    ]
    scope = _scope(db, actor)
    if scope is not None:
        found = found[np.array([set(json.loads(teams)) <= scope for teams in found["teams_json"]], dtype=bool)]
    return found.reset_index(drop=True)


def pulse_ids(db: Database, initiative: str | None, wave: str, teams: Iterable[str]) -> tuple[int, list[str]]:
    """The wave a user names (in the initiative named, or the only one holding a wave of that name) and the
    teams, for the command line; LookupError naming what does not exist."""
    waves = store.org.waves(db)
    initiatives = store.org.initiatives(db)
    if initiative is not None:
        match = initiatives[initiatives["name"] == initiative]
        if match.empty:
            known = ", ".join(initiatives["name"]) or "none yet"
            raise LookupError(f"There is no initiative called {initiative!r}; initiatives are: {known}.")
        waves = waves[waves["initiative_id"].astype(int) == int(match["id"].iloc[0])]
    found = waves[waves["name"] == wave]
    if found.empty:
        known = ", ".join(dict.fromkeys(waves["name"])) or "none yet"
        raise LookupError(f"There is no wave called {wave!r}; waves are: {known}.")
    if len(found) > 1:
        raise LookupError(f"More than one initiative has a wave called {wave!r}; name the initiative (--initiative).")
    return int(found["id"].iloc[0]), [str(team) for team in teams]
