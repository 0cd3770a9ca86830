"""Storage: every SQL statement of cxchange, through sqlite-utils, on one SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlite_utils import Database

from cxchange import migrations
from cxchange.model import ELEMENTS, OUTCOME
from cxchange.settings import DEFAULTS, SETTINGS_BY_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUSY_TIMEOUT_MS = 30_000

DATA_TABLES: tuple[str, ...] = (
    "kotter_step_history",
    "kotter_steps",
    "champion_activities",
    "champions",
    "sponsor_activities",
    "cx_outcomes",
    "actions",
    "responses",
    "team_results",
    "import_batches",
    "waves",
    "initiatives",
    "teams",
)
"""Tables holding an organisation's data, children before parents, so they empty in this order."""


def default_path() -> Path:
    """The database file: $CXCHANGE_DB, or data/cxchange.db in the project."""
    return Path(os.environ.get("CXCHANGE_DB") or PROJECT_ROOT / "data" / "cxchange.db")


def connect(path: str | Path) -> Database:
    """Open the file with WAL, foreign keys and a busy timeout, so concurrent writers wait, not fail."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    _use_wal(db)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _use_wal(db: Database) -> None:
    """Switch the file to WAL, retrying: SQLite reports "locked" here without waiting on its busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def open_db(path: str | Path) -> Database:
    """Connect and bring the schema up to date."""
    db = connect(path)
    migrations.apply(db)
    return db


def frame(db: Database, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame (columns kept even when no row matches)."""
    cursor = db.execute(sql, params or {})
    columns = [column[0] for column in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


# Settings and workspace ----------------------------------------------------------------------


def settings(db: Database) -> dict[str, Any]:
    """Every declared setting: the stored value where there is one, else its default."""
    stored = {row["name"]: json.loads(row["value"]) for row in db.query("SELECT name, value FROM settings")}
    return {name: stored.get(name, default) for name, default in DEFAULTS.items()}


def save_settings(db: Database, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and store declared settings; raises ValueError naming the first bad one, storing none."""
    checked = {}
    for name, value in values.items():
        if name not in SETTINGS_BY_NAME:
            raise ValueError(f"There is no setting called {name!r}.")
        checked[name] = SETTINGS_BY_NAME[name].check(value)
    with db.atomic():
        db["settings"].upsert_all(
            ({"name": name, "value": json.dumps(value)} for name, value in checked.items()), pk="name"
        )
    return settings(db)


def workspace_kind(db: Database) -> str:
    """ "demo" while the demo organisation is loaded, "own" for a workspace of the user's own."""
    row = db.execute("SELECT value FROM settings WHERE name = 'workspace'").fetchone()
    return json.loads(row[0]) if row else "own"


def set_workspace_kind(db: Database, kind: str) -> None:
    """Record whether the workspace holds the demo organisation."""
    db["settings"].upsert({"name": "workspace", "value": json.dumps(kind)}, pk="name")


def has_data(db: Database) -> bool:
    """Whether the workspace holds any team yet."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM teams)").fetchone()[0] == 1


def clear_data(db: Database) -> None:
    """Delete the organisation's data (teams, surveys, logs), keeping settings and the question bank."""
    with db.atomic():
        db.execute("UPDATE teams SET parent_id = NULL")
        for table in DATA_TABLES:
            db[table].delete_where()
        set_workspace_kind(db, "own")


def backup(db: Database, destination: str | Path) -> Path:
    """Copy the whole database, consistently, to `destination` (SQLite's online backup)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(destination))
    try:
        db.conn.backup(target)
    finally:
        target.close()
    return destination


def backup_path(db_path: str | Path, label: str, now: datetime | None = None) -> Path:
    """Where a backup of `db_path` taken now goes: data/backups/<stem>-<label>-<timestamp>.db.

    Never an existing file: a second backup within the same second gets a suffix, not the first's place.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    db_path = Path(db_path)
    candidate = db_path.parent / "backups" / f"{db_path.stem}-{label}-{stamp}.db"
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = candidate.with_name(f"{db_path.stem}-{label}-{stamp}-{suffix}.db")
    return candidate


def backups(db_path: str | Path) -> list[Path]:
    """Backups of `db_path`, newest first."""
    db_path = Path(db_path)
    folder = db_path.parent / "backups"
    return sorted(folder.glob(f"{db_path.stem}-*.db"), reverse=True) if folder.exists() else []


def restore(db: Database, source: str | Path) -> None:
    """Replace the whole database with the backup at `source`."""
    origin = sqlite3.connect(str(source))
    try:
        origin.backup(db.conn)
    finally:
        origin.close()
    migrations.apply(db)


# Organisation --------------------------------------------------------------------------------


def teams(db: Database) -> pd.DataFrame:
    """Every team: id, name, parent_id (None at the top), headcount."""
    result = frame(db, "SELECT id, name, parent_id, headcount FROM teams ORDER BY id")
    result["parent_id"] = result["parent_id"].astype("Int64")
    return result


def initiatives(db: Database) -> pd.DataFrame:
    """Every initiative, oldest first."""
    return frame(db, "SELECT id, name, description, owner, started_on FROM initiatives ORDER BY id")


def waves(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """Survey waves, oldest first, of one initiative or all."""
    return frame(
        db,
        """
        SELECT waves.id, waves.name, waves.opened_on, waves.initiative_id, initiatives.name AS initiative
        FROM waves JOIN initiatives ON initiatives.id = waves.initiative_id
        WHERE :initiative_id IS NULL OR waves.initiative_id = :initiative_id
        ORDER BY waves.opened_on, waves.id
        """,
        {"initiative_id": initiative_id},
    )


def items(db: Database) -> pd.DataFrame:
    """The question bank in survey order."""
    return frame(db, "SELECT code, element, text, position, active FROM items ORDER BY position")


def insert_rows(db: Database, table: str, rows: Iterable[Mapping[str, Any]], pk: str = "id") -> None:
    """Insert plain rows into one of the schema's tables."""
    db[table].insert_all(rows, pk=pk, batch_size=5000)


# Responses -----------------------------------------------------------------------------------


def encode_answers(values: pd.DataFrame) -> pd.Series:
    """Each row's answers (one column per item code, 1–5 or NaN where missing) as the stored JSON object.

    Each column's six possible pieces are made once and picked by index: an import of a million
    respondents must not format every answer.
    """
    pieces = []
    for code in values.columns:
        table = np.array(["", *(f'"{code}":{value}' for value in range(1, 6))], dtype=object)
        numbers = values[code].to_numpy(dtype=float, na_value=np.nan)
        pieces.append(table[np.nan_to_num(numbers, nan=0).astype(int)])
    encoded = ["{" + ",".join(filter(None, row)) + "}" for row in zip(*pieces, strict=True)]
    return pd.Series(encoded if pieces else ["{}"] * len(values), index=values.index, dtype=object)


def insert_responses(db: Database, responses: pd.DataFrame) -> None:
    """Write respondent rows (with their element scores and answers JSON), in the caller's transaction."""
    columns = [c for c in RESPONSE_COLUMNS if c in responses.columns]
    lists = [_python_values(responses[column]) for column in columns]
    db.conn.executemany(
        f"INSERT INTO responses ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        zip(*lists, strict=True),
    )


def _python_values(column: pd.Series) -> list:
    """A column as plain Python values for sqlite3, NaN and NA as None (SQL NULL)."""
    if pd.api.types.is_float_dtype(column.dtype) and isinstance(column.dtype, np.dtype):
        return column.to_numpy().tolist()  # SQLite stores a bound NaN as NULL
    return column.astype(object).where(column.notna(), None).tolist()


def next_response_id(db: Database) -> int:
    """The next free response id, for writers that give answers their response id up front."""
    return db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM responses").fetchone()[0]


SPREAD_COLUMNS: tuple[str, ...] = (*ELEMENTS, "readiness")


def team_wave_sums(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """The one scan behind every readiness view: per wave, team and respondent group (is_champion),
    the count of complete responses and the sums and sums of squares of their scores.

    Raw sums in SQL, arithmetic in pandas: each extra expression per row costs more in SQLite
    than the whole derivation costs over the few thousand groups.
    """
    sums = ", ".join(
        f"SUM({column}) AS {column}_sum, SUM({column} * {column}) AS {column}_sumsq" for column in SPREAD_COLUMNS
    )
    return frame(
        db,
        f"""
        SELECT wave_id, team_id, is_champion, COUNT(*) AS n, {sums},
               SUM({OUTCOME}) AS {OUTCOME}_sum, COUNT({OUTCOME}) AS {OUTCOME}_n
        FROM responses
        WHERE complete = 1
          AND wave_id IN (SELECT id FROM waves WHERE :initiative_id IS NULL OR initiative_id = :initiative_id)
        GROUP BY wave_id, team_id, is_champion
        """,
        {"initiative_id": initiative_id},
    )  # column names come from the model's fixed vocabulary


def team_wave_stats(db: Database, initiative_id: int | None = None, by_group: bool = False) -> pd.DataFrame:
    """Per team and wave, from complete responses: n, element means and sds, readiness mean and sd.

    The same figures as a pandas group-by of respondent scores (test_readiness checks). With `by_group`, one row per
    team, wave and respondent group (is_champion 0 or 1), so the views of all respondents,
    champions and the rest come from one scan.
    """
    sums = team_wave_sums(db, initiative_id)
    keys = ["wave_id", "team_id", *(["is_champion"] if by_group else [])]
    if not by_group:
        sums = sums.drop(columns="is_champion").groupby(keys, as_index=False).sum()
    n = sums["n"].to_numpy(float)
    result = {key: sums[key].to_numpy() for key in keys} | {"n": sums["n"].to_numpy()}
    with np.errstate(divide="ignore", invalid="ignore"):
        for column in SPREAD_COLUMNS:
            total, squares = sums[f"{column}_sum"].to_numpy(float), sums[f"{column}_sumsq"].to_numpy(float)
            mean = total / n
            result[column] = mean
            variance = (squares - n * mean**2) / (n - 1)
            result[f"{column}_sd"] = np.where(n > 1, np.sqrt(np.clip(variance, 0, None)), np.nan)
        outcome_n = sums[f"{OUTCOME}_n"].to_numpy(float)
        result[OUTCOME] = np.where(outcome_n > 0, sums[f"{OUTCOME}_sum"].to_numpy(float) / outcome_n, np.nan)
        result[f"{OUTCOME}_n"] = outcome_n
    return pd.DataFrame(result)


def team_result_stats(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """Per team and wave, the entered team-level means (one column per element) and their n."""
    means = ",\n".join(
        f"MAX(CASE WHEN element = '{element}' THEN mean END) AS {element}" for element in (*ELEMENTS, OUTCOME)
    )  # element names come from the model's fixed vocabulary
    return frame(
        db,
        f"""
        SELECT team_results.wave_id, team_results.team_id, MAX(team_results.n) AS n, {means}
        FROM team_results JOIN waves ON waves.id = team_results.wave_id
        WHERE :initiative_id IS NULL OR waves.initiative_id = :initiative_id
        GROUP BY team_results.wave_id, team_results.team_id
        """,
        {"initiative_id": initiative_id},
    )


def answer_counts(db: Database, wave: int) -> pd.DataFrame:
    """Per team, respondent group, ADKAR element and scale point: how many answers of complete responses.

    The items' answers of an element are pooled (each answer counts once), for the Likert bars.
    """
    return frame(
        db,
        """
        SELECT responses.team_id, responses.is_champion, items.element,
               CAST(answer.value AS INTEGER) AS value, COUNT(*) AS count
        FROM responses, json_each(responses.answers) AS answer
        JOIN items ON items.code = answer.key
        WHERE responses.wave_id = :wave AND responses.complete = 1 AND items.element != 'outcome'
        GROUP BY responses.team_id, responses.is_champion, items.element, CAST(answer.value AS INTEGER)
        """,
        {"wave": wave},
    )


def barrier_counts(db: Database, wave: int, threshold: float) -> pd.DataFrame:
    """Per team and respondent group: how many complete respondents have each barrier point ("none")."""
    cases = "\n".join(f"WHEN {element} <= :threshold + 1e-9 THEN '{element}'" for element in ELEMENTS)
    return frame(
        db,
        f"""
        SELECT team_id, is_champion, CASE {cases} ELSE 'none' END AS barrier_point, COUNT(*) AS count
        FROM responses WHERE wave_id = :wave AND complete = 1
        GROUP BY team_id, is_champion, barrier_point
        """,
        {"wave": wave, "threshold": threshold},
    )  # element names come from the model's fixed vocabulary


def team_results(db: Database, wave: int) -> pd.DataFrame:
    """The team-level results entered for a wave: team_id, element, mean, n, sd."""
    return frame(
        db,
        "SELECT team_id, element, mean, n, sd FROM team_results WHERE wave_id = :wave ORDER BY team_id",
        {"wave": wave},
    )


def save_team_results(db: Database, wave: int, rows: pd.DataFrame, entered_by: str) -> int:
    """Store the wave's entered team-level results (team_id, element, mean, n, sd) as one batch.

    The grid replaces the wave's earlier entry whole (a team left out is removed); returns the batch
    id. Undo removes the batch's rows, so undoing a later save leaves no entry for the wave.
    """
    with write_transaction(db):
        batch = add_batch(
            db,
            {
                "file_name": "team-level entry",
                "file_hash": "",
                "wave_id": wave,
                "kind": "team results",
                "imported_by": entered_by,
                "imported_at": datetime.now().isoformat(timespec="seconds"),
                "row_outcomes": json.dumps({"counts": {"teams": int(rows["team_id"].nunique())}}),
            },
        )
        # The grid is the wave's whole entry: teams taken out of it are taken out of the results.
        db.execute("DELETE FROM team_results WHERE wave_id = :wave", {"wave": wave})
        db.conn.executemany(
            "INSERT INTO team_results (team_id, wave_id, element, mean, n, sd, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    int(r.team_id),
                    wave,
                    r.element,
                    float(r.mean),
                    int(r.n),
                    None if pd.isna(r.sd) else float(r.sd),
                    batch,
                )
                for r in rows.itertuples()
            ],
        )
    return batch


def comments(db: Database, wave: int, team_ids: Iterable[int], minimum: int) -> dict[str, Any]:
    """Comments of the wave from those of `team_ids` with at least `minimum` responses of their own.

    Returns comments (sorted, not in answer order), n (their teams' responses), teams (how many
    teams qualified) and left_out (how many teams with responses did not).
    """
    rows = db.execute(
        """
        SELECT team_id, COUNT(*) AS n FROM responses
        WHERE wave_id = :wave AND team_id IN (SELECT value FROM json_each(:ids)) GROUP BY team_id
        """,
        {"wave": wave, "ids": json.dumps([int(i) for i in team_ids])},
    ).fetchall()
    allowed = [team for team, n in rows if n >= minimum]
    found = db.execute(
        """
        SELECT comment FROM responses
        WHERE wave_id = :wave AND team_id IN (SELECT value FROM json_each(:ids)) AND comment IS NOT NULL
        ORDER BY comment
        """,
        {"wave": wave, "ids": json.dumps(allowed)},
    )
    return {
        "comments": [row[0] for row in found],
        "n": sum(n for team, n in rows if team in allowed),
        "teams": len(allowed),
        "left_out": len(rows) - len(allowed),
    }


def team_champions(db: Database, team_ids: Iterable[int]) -> pd.DataFrame:
    """Champions of the given teams with their activity: alias, team, start, end, last activity, sessions, reach."""
    return frame(
        db,
        """
        SELECT champions.alias, teams.name AS team, champions.started_on, champions.ended_on,
               MAX(champion_activities.happened_on) AS last_activity,
               COUNT(champion_activities.id) AS activities,
               COALESCE(SUM(champion_activities.people_reached), 0) AS people_reached
        FROM champions JOIN teams ON teams.id = champions.team_id
        LEFT JOIN champion_activities ON champion_activities.champion_id = champions.id
        WHERE champions.team_id IN (SELECT value FROM json_each(:ids))
        GROUP BY champions.id
        ORDER BY champions.ended_on IS NOT NULL, last_activity DESC, champions.alias
        """,
        {"ids": json.dumps([int(i) for i in team_ids])},
    )


def open_actions(db: Database, team_ids: Iterable[int], initiative_id: int | None = None) -> pd.DataFrame:
    """Actions still open or in progress for the given teams: title, owner, team, element, step, due, status."""
    return frame(
        db,
        """
        SELECT actions.title, actions.owner, teams.name AS team, actions.element, actions.kotter_step,
               actions.due_on, actions.status, actions.source
        FROM actions JOIN teams ON teams.id = actions.team_id
        WHERE actions.status IN ('open', 'in progress')
          AND actions.team_id IN (SELECT value FROM json_each(:ids))
          AND (:initiative_id IS NULL OR actions.initiative_id = :initiative_id)
        ORDER BY actions.due_on IS NULL, actions.due_on, actions.title
        """,
        {"ids": json.dumps([int(i) for i in team_ids]), "initiative_id": initiative_id},
    )


def response_scores(db: Database, wave_id: int) -> pd.DataFrame:
    """Respondent-level element scores of one wave (anonymous: no source id leaves the database)."""
    columns = ", ".join((*ELEMENTS, OUTCOME, "readiness"))
    return frame(
        db,
        f"""
        SELECT id AS response_id, team_id, wave_id, is_champion, complete, {columns}
        FROM responses WHERE wave_id = :wave_id
        """,
        {"wave_id": wave_id},
    )


def answers(db: Database, response_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Item answers (response_id, item_code, value), of every response or the given ones."""
    if response_ids is None:
        return frame(db, "SELECT response_id, item_code, value FROM answers")
    ids = json.dumps([int(i) for i in response_ids])
    return frame(
        db,
        "SELECT response_id, item_code, value FROM answers WHERE response_id IN (SELECT value FROM json_each(:ids))",
        {"ids": ids},
    )


def count(db: Database, table: str) -> int:
    """Rows in one of the schema's tables."""
    return db[table].count


# Imports -------------------------------------------------------------------------------------


@contextmanager
def write_transaction(db: Database, commit: bool = True, immediate: bool = True) -> Iterator[Database]:
    """One transaction holding the write lock from its start (BEGIN IMMEDIATE), so ids read inside stay free.

    Two processes importing at once queue on the busy timeout instead of failing half-way. With
    `commit=False` everything done inside is rolled back at the end (a dry run); with
    `immediate=False` it reads without taking the write lock until it writes.
    """
    db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    if commit:
        db.execute("COMMIT")
    else:
        db.conn.rollback()


def initiative_id(db: Database, name: str) -> int | None:
    """The id of the initiative called `name`, or None."""
    row = db.execute("SELECT id FROM initiatives WHERE name = :name", {"name": name}).fetchone()
    return row[0] if row else None


def add_initiative(db: Database, name: str, started_on: str) -> int:
    """Create an initiative; returns its id."""
    return db["initiatives"].insert({"name": name, "started_on": started_on}).last_pk


def wave_id(db: Database, initiative: int, name: str) -> int | None:
    """The id of the initiative's wave called `name`, or None."""
    row = db.execute(
        "SELECT id FROM waves WHERE initiative_id = :initiative AND name = :name",
        {"initiative": initiative, "name": name},
    ).fetchone()
    return row[0] if row else None


def add_wave(db: Database, initiative: int, name: str, opened_on: str) -> int:
    """Create a wave of the initiative; returns its id."""
    return db["waves"].insert({"initiative_id": initiative, "name": name, "opened_on": opened_on}).last_pk


def add_teams(db: Database, names: Iterable[str]) -> dict[str, int]:
    """Create top-level teams (no headcount yet); returns name -> id.

    Inside an import's transaction it writes there; called on its own it commits its own.
    """
    names = list(names)
    if not db.conn.in_transaction:
        with write_transaction(db):
            return add_teams(db, names)
    db.conn.executemany("INSERT INTO teams (name, parent_id) VALUES (?, NULL)", [(name,) for name in names])
    placeholders = {"names": json.dumps(names)}
    rows = db.execute("SELECT name, id FROM teams WHERE name IN (SELECT value FROM json_each(:names))", placeholders)
    return dict(rows.fetchall())


def source_hashes(db: Database, wave: int) -> set[str]:
    """The hashed source ids (or content hashes) of every response already in the wave."""
    rows = db.execute("SELECT source_hash FROM responses WHERE wave_id = :wave", {"wave": wave})
    return {row[0] for row in rows}


def batch_with_hash(db: Database, wave: int, file_hash: str) -> dict[str, Any] | None:
    """The earlier import of the same file into the same wave, if there was one."""
    rows = list(
        db.query(
            "SELECT id, file_name, imported_at, imported_by FROM import_batches "
            "WHERE wave_id = :wave AND file_hash = :hash AND kind = 'responses'",
            {"wave": wave, "hash": file_hash},
        )
    )
    return rows[0] if rows else None


def add_batch(db: Database, batch: Mapping[str, Any]) -> int:
    """Record an import batch (file name, hash, wave, who, when, row outcomes as JSON); returns its id."""
    return db["import_batches"].insert(dict(batch)).last_pk


RESPONSE_COLUMNS: tuple[str, ...] = (
    "id", "wave_id", "team_id", "batch_id", "source_hash", "is_champion", "submitted_on", "comment", "answers",
    "complete", "awareness", "desire", "knowledge", "ability", "reinforcement", "outcome", "readiness",
)  # fmt: skip
"""The responses table's columns; also the only names insert_responses puts into SQL."""


def record_batch_outcomes(db: Database, batch: int, outcomes_json: str) -> None:
    """Store the row outcomes of a batch once its last row has been read."""
    db.execute(
        "UPDATE import_batches SET row_outcomes = :outcomes WHERE id = :id", {"outcomes": outcomes_json, "id": batch}
    )


def batches(db: Database) -> pd.DataFrame:
    """Every import, newest first, with its wave and how many responses it still holds."""
    return frame(
        db,
        """
        SELECT import_batches.id, import_batches.file_name, import_batches.imported_at,
               import_batches.imported_by, import_batches.kind, waves.name AS wave,
               initiatives.name AS initiative,
               (SELECT COUNT(*) FROM responses WHERE responses.batch_id = import_batches.id) AS responses
        FROM import_batches
        LEFT JOIN waves ON waves.id = import_batches.wave_id
        LEFT JOIN initiatives ON initiatives.id = waves.initiative_id
        ORDER BY import_batches.id DESC
        """,
    )


def batch_outcomes(db: Database, batch: int) -> dict[str, Any]:
    """What an import recorded: counts per outcome, the rows not simply imported, the answers reported."""
    row = db.execute("SELECT row_outcomes FROM import_batches WHERE id = :id", {"id": batch}).fetchone()
    return json.loads(row[0]) if row else {}


def undo_batch(db: Database, batch: int) -> int:
    """Remove an import whole: its responses, answers and team-level rows; returns the rows removed."""
    with write_transaction(db):
        removed = db.execute(
            "SELECT (SELECT COUNT(*) FROM responses WHERE batch_id = :id)"
            " + (SELECT COUNT(DISTINCT team_id) FROM team_results WHERE batch_id = :id)",
            {"id": batch},
        ).fetchone()[0]
        wave = db.execute("SELECT wave_id FROM import_batches WHERE id = :id", {"id": batch}).fetchone()
        db.execute("DELETE FROM import_batches WHERE id = :id", {"id": batch})
        if wave and wave[0] is not None:
            # A wave the import brought, now empty, goes with it (teams stay: other data may use them).
            db.execute(
                """
                DELETE FROM waves WHERE id = :wave
                  AND NOT EXISTS (SELECT 1 FROM responses WHERE wave_id = :wave)
                  AND NOT EXISTS (SELECT 1 FROM team_results WHERE wave_id = :wave)
                  AND NOT EXISTS (SELECT 1 FROM import_batches WHERE wave_id = :wave)
                """,
                {"wave": wave[0]},
            )
    return removed


def saved_mappings(db: Database) -> dict[str, str]:
    """Import mappings the users saved by name: name -> mapping JSON."""
    rows = db.execute("SELECT name, value FROM settings WHERE name LIKE 'mapping:%' ORDER BY name")
    return {name.removeprefix("mapping:"): json.loads(value) for name, value in rows}


def save_mapping(db: Database, name: str, mapping_json: str) -> None:
    """Keep an import mapping under a name for the next file from the same survey."""
    if not name.strip():
        raise ValueError("Give the mapping a name.")
    db["settings"].upsert({"name": f"mapping:{name.strip()}", "value": json.dumps(mapping_json)}, pk="name")


# CX outcomes ---------------------------------------------------------------------------------


def cx_outcomes(db: Database, period: str | None = None) -> pd.DataFrame:
    """Outcome figures (team_id, team, period, metric, value) of one period or all, by period, team, metric."""
    result = frame(
        db,
        """
        SELECT cx_outcomes.team_id, teams.name AS team, cx_outcomes.period, cx_outcomes.metric, cx_outcomes.value
        FROM cx_outcomes JOIN teams ON teams.id = cx_outcomes.team_id
        WHERE :period IS NULL OR cx_outcomes.period = :period
        ORDER BY cx_outcomes.period, teams.name, cx_outcomes.metric
        """,
        {"period": period},
    )
    return result.astype({"team_id": "int64", "value": "float64"})


def save_cx_outcomes(db: Database, rows: pd.DataFrame, replace_period: str | None = None) -> dict[str, int]:
    """Write checked figures (team_id, period, metric, value) in one transaction, keyed on team, period, metric.

    A figure already stored is updated, never doubled, so writing the same rows twice changes nothing.
    With `replace_period`, that period's stored figures missing from `rows` are removed (the entry grid
    holds its period whole). Returns how many figures were added, changed, unchanged and removed.
    """
    counts = {"added": 0, "changed": 0, "unchanged": 0, "removed": 0}
    wanted = {
        (int(r.team_id), str(r.period), str(r.metric)): float(r.value)
        for r in rows[["team_id", "period", "metric", "value"]].itertuples(index=False)
    }
    periods = sorted({period for _, period, _ in wanted} | ({replace_period} if replace_period is not None else set()))
    with write_transaction(db):
        stored = {
            (team_id, period, metric): value
            for team_id, period, metric, value in db.execute(
                "SELECT team_id, period, metric, value FROM cx_outcomes "
                "WHERE period IN (SELECT value FROM json_each(:periods))",
                {"periods": json.dumps(periods)},
            )
        }
        writes = []
        for key, value in wanted.items():
            status = "added" if key not in stored else "unchanged" if stored[key] == value else "changed"
            counts[status] += 1
            if status != "unchanged":
                writes.append((*key, value))
        db.conn.executemany(
            "INSERT INTO cx_outcomes (team_id, period, metric, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (team_id, period, metric) DO UPDATE SET value = excluded.value",
            writes,
        )
        if replace_period is not None:
            gone = [key for key in stored if key[1] == replace_period and key not in wanted]
            db.conn.executemany("DELETE FROM cx_outcomes WHERE team_id = ? AND period = ? AND metric = ?", gone)
            counts["removed"] = len(gone)
    return counts


# Kotter board ----------------------------------------------------------------------------------

from datetime import date  # noqa: E402 - a feature's block keeps its imports with it (this file is appended to)

from cxchange import kotter  # noqa: E402

KOTTER_STEP_COLUMNS = "step, status, owner, evidence, started_on, due_on, health, updated_on"


def kotter_steps(db: Database, initiative_id: int) -> pd.DataFrame:
    """The initiative's stored Kotter steps by number (a step never saved has no row): step, status,
    owner, evidence, started_on, due_on, health (Int64), updated_on."""
    result = frame(
        db,
        f"SELECT {KOTTER_STEP_COLUMNS} FROM kotter_steps WHERE initiative_id = :initiative_id ORDER BY step",
        {"initiative_id": initiative_id},
    )
    result["health"] = result["health"].astype("Int64")
    return result


def kotter_history(db: Database, initiative_id: int) -> pd.DataFrame:
    """Every recorded change of the initiative's steps, oldest first: id, step, changed_on, status, owner,
    evidence, health (Int64)."""
    result = frame(
        db,
        """
        SELECT id, step, changed_on, status, owner, evidence, health FROM kotter_step_history
        WHERE initiative_id = :initiative_id ORDER BY changed_on, id
        """,
        {"initiative_id": initiative_id},
    )
    result["health"] = result["health"].astype("Int64")
    return result


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
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM initiatives WHERE id = :id", {"id": initiative_id}).fetchone():
            raise ValueError(f"There is no initiative with id {initiative_id}; nothing was saved.")
        stored = {int(row["step"]): row for row in kotter_steps(db, initiative_id).to_dict("records")}
        changed = [
            row for row in checked if kotter.stored_values(row) != kotter.stored_values(stored.get(row["step"], {}))
        ]
        for row in changed:
            values = {"initiative_id": initiative_id, **row, "updated_on": today.isoformat()}
            db.execute(
                f"""
                INSERT INTO kotter_steps (initiative_id, {KOTTER_STEP_COLUMNS})
                VALUES (:initiative_id, :step, :status, :owner, :evidence, :started_on, :due_on, :health, :updated_on)
                ON CONFLICT (initiative_id, step) DO UPDATE SET
                    status = excluded.status, owner = excluded.owner, evidence = excluded.evidence,
                    started_on = excluded.started_on, due_on = excluded.due_on, health = excluded.health,
                    updated_on = excluded.updated_on
                """,
                values,
            )  # the column list is this block's constant, not input
            db.execute(
                """
                INSERT INTO kotter_step_history (initiative_id, step, changed_on, status, owner, evidence, health)
                VALUES (:initiative_id, :step, :updated_on, :status, :owner, :evidence, :health)
                """,
                values,
            )
    return [row["step"] for row in changed]


# Actions log -----------------------------------------------------------------------------------

from datetime import date  # noqa: E402, F811 - a feature's block keeps its imports with it (this file is appended to)

from cxchange import actions as action_rules  # noqa: E402

ACTION_COLUMNS = (
    "id, initiative_id, team_id, title, owner, element, kotter_step, due_on, status, source, created_on, "
    "closed_on, votes"
)


def initiative_actions(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """The actions of an initiative (or of all), with their team's name: open and in progress first, then
    done, then dropped, each by due date. Columns: ACTION_COLUMNS and team (None for no team)."""
    result = frame(
        db,
        """
        SELECT actions.id, actions.initiative_id, actions.team_id, teams.name AS team, actions.title,
               actions.owner, actions.element, actions.kotter_step, actions.due_on, actions.status,
               actions.source, actions.created_on, actions.closed_on, actions.votes
        FROM actions LEFT JOIN teams ON teams.id = actions.team_id
        WHERE :initiative_id IS NULL OR actions.initiative_id = :initiative_id
        ORDER BY CASE actions.status WHEN 'done' THEN 1 WHEN 'dropped' THEN 2 ELSE 0 END,
                 actions.due_on IS NULL, actions.due_on, actions.id
        """,
        {"initiative_id": initiative_id},
    )
    return result.astype({"id": "int64", "team_id": "Int64", "kotter_step": "Int64", "votes": "int64"})


def _action_team_ids(db: Database) -> set[int]:
    return {row[0] for row in db.execute("SELECT id FROM teams")}


def _stored_actions(db: Database, ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """The stored rows of the given action ids (ids that are not whole numbers find nothing)."""
    wanted = [int(i) for i in ids if isinstance(i, int | np.integer) and not isinstance(i, bool)]
    cursor = db.execute(
        f"SELECT {ACTION_COLUMNS} FROM actions WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(wanted)},
    )  # the column list is this block's constant, not input
    columns = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


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
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM initiatives WHERE id = :id", {"id": initiative_id}).fetchone():
            raise ValueError(f"Initiative: {initiative_id!r} is not an initiative of this workspace.")
        clean = action_rules.check_new_action(values, _action_team_ids(db))
        cursor = db.execute(
            """
            INSERT INTO actions (initiative_id, team_id, title, owner, element, kotter_step, due_on, status,
                                 source, created_on, closed_on, votes)
            VALUES (:initiative_id, :team_id, :title, :owner, :element, :kotter_step, :due_on, 'open',
                    :source, :created_on, NULL, 0)
            """,
            {"initiative_id": initiative_id, **clean, "created_on": today.isoformat()},
        )
        return cursor.lastrowid


def update_actions(db: Database, changes: Iterable[Mapping[str, Any]], *, today: date) -> list[dict[str, Any]]:
    """Apply edits ({"id": ..., field: value, ...}, fields of actions.EDITABLE) in one transaction.

    Every edit is checked first (actions.check_changes): any problem raises ValueError naming the
    action, the field and the value, and nothing is written. Closing an action (done or dropped)
    sets closed_on to `today`; reopening it clears closed_on. Returns what changed, one dict per
    field (id, title, field, before, after), closed_on included; a value equal to the stored one is
    no change.
    """
    changes = [dict(change) for change in changes]
    with write_transaction(db):
        stored = _stored_actions(db, [change.get("id") for change in changes])
        titles = {action_id: row["title"] for action_id, row in stored.items()}
        checked = action_rules.check_changes(changes, titles, _action_team_ids(db))
        current = {action_id: dict(row) for action_id, row in stored.items()}
        applied = []
        for change in checked:
            row = current[change["id"]]
            was = dict(row)
            row.update({field: value for field, value in change.items() if field != "id"})
            if row["status"] != was["status"]:
                row["closed_on"] = action_rules.closing_date(was["status"], row["status"], was["closed_on"], today)
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
            db.execute(
                """
                UPDATE actions SET title = :title, owner = :owner, team_id = :team_id, element = :element,
                    kotter_step = :kotter_step, due_on = :due_on, status = :status, source = :source,
                    closed_on = :closed_on
                WHERE id = :id
                """,
                {key: row[key] for key in ("id", *action_rules.EDITABLE, "closed_on")},
            )
    return applied


def set_votes(db: Database, votes: Mapping[int, Any]) -> None:
    """Set the dot-votes of actions (id -> votes) in one transaction; a refused count or an unknown id
    raises ValueError naming the action and the value, and nothing is written."""
    with write_transaction(db):
        titles = {action_id: row["title"] for action_id, row in _stored_actions(db, votes).items()}
        checked, problems = {}, []
        for action_id, value in votes.items():
            if action_id not in titles:
                problems.append(f"There is no action with id {action_id!r} in this workspace.")
                continue
            try:
                checked[int(action_id)] = action_rules.check_votes(value)
            except ValueError as problem:
                problems.append(f"“{titles[action_id]}”, {problem}")
        if problems:
            raise action_rules.ActionProblems(problems)
        db.conn.executemany("UPDATE actions SET votes = ? WHERE id = ?", [(v, i) for i, v in checked.items()])


# Champion network ------------------------------------------------------------------------------


def champion_roster(db: Database) -> pd.DataFrame:
    """Every champion: id, alias, team_id, team, started_on, ended_on, batch_id; by team, then name."""
    result = frame(
        db,
        """
        SELECT champions.id, champions.alias, champions.team_id, teams.name AS team, champions.started_on,
               champions.ended_on, champions.batch_id
        FROM champions JOIN teams ON teams.id = champions.team_id
        ORDER BY teams.name, champions.alias, champions.id
        """,
    )
    return result.astype({"ended_on": object, "batch_id": "Int64"})


def champion_activity_log(db: Database) -> pd.DataFrame:
    """Every logged session, newest first: id, champion_id, alias, team_id, team, happened_on, kind,
    people_reached, note."""
    return frame(
        db,
        """
        SELECT champion_activities.id, champion_activities.champion_id, champions.alias, champions.team_id,
               teams.name AS team, champion_activities.happened_on, champion_activities.kind,
               champion_activities.people_reached, champion_activities.note
        FROM champion_activities
        JOIN champions ON champions.id = champion_activities.champion_id
        JOIN teams ON teams.id = champions.team_id
        ORDER BY champion_activities.happened_on DESC, champion_activities.id DESC
        """,
    )


def _champion_team_ids(db: Database) -> dict[str, int]:
    return {name: int(team_id) for team_id, name in db.execute("SELECT id, name FROM teams")}


def _stored_champions(db: Database, ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """The roster rows of the given ids (unknown or malformed ids are left out), with their activity days."""
    wanted = [int(i) for i in ids if isinstance(i, int | np.integer) and not isinstance(i, bool)]
    rows = db.execute(
        "SELECT id, alias, team_id, started_on, ended_on FROM champions "
        "WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(wanted)},
    ).fetchall()
    stored = {row[0]: dict(zip(("id", "alias", "team_id", "started_on", "ended_on"), row, strict=True)) for row in rows}
    for champion_id, day in db.execute(
        "SELECT champion_id, happened_on FROM champion_activities "
        "WHERE champion_id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(list(stored))},
    ):
        stored[champion_id].setdefault("days", []).append(day)
    return stored


def _roster_twin(db: Database, row: Mapping[str, Any], other_than: int | None = None) -> str | None:
    """The name of another champion with the same name (ignoring case and spaces), team and start, or None."""
    from cxchange import champions as champion_rules

    key = champion_rules.roster_key(row["alias"], row["team_id"], row["started_on"])
    found = db.execute(
        "SELECT id, alias FROM champions WHERE team_id = :team_id AND started_on = :started_on",
        {"team_id": row["team_id"], "started_on": row["started_on"]},
    )
    return next(
        (alias for found_id, alias in found if champion_rules.name_key(alias) == key[0] and found_id != other_than),
        None,
    )


def add_champion(db: Database, alias: Any, team: Any, started_on: Any, ended_on: Any = None) -> int:
    """Add a champion to the roster (team by name or id); returns the id.

    Checked first: a blank name, an unknown team, a date that is no date, an end before the start
    or a champion already in the roster (same name, team and start) raise ValueError naming the
    field and the value, and nothing is written.
    """
    from cxchange import champions as champion_rules

    with write_transaction(db):
        row, problems = champion_rules.check_champion(alias, team, started_on, ended_on, _champion_team_ids(db))
        if problems:
            raise ValueError(champion_rules.describe_problems(problems))
        if twin := _roster_twin(db, row):
            raise ValueError(f"{twin} is already in the roster of that team from {row['started_on']}.")
        return db["champions"].insert(row).last_pk


def update_champions(db: Database, edits: Iterable[Mapping[str, Any]]) -> int:
    """Change roster entries (id, alias, team, started_on, ended_on; team by name or id) in one transaction.

    Every edit is checked before anything is written: the roster rules of add_champion, and a
    champion's logged sessions must stay within their new start and end. Any problem raises
    ValueError naming the champion, the field and the value, one line each, and nothing is
    written. Returns how many champions changed (an edit equal to the stored row is no change).
    """
    from cxchange import champions as champion_rules

    edits = [dict(edit) for edit in edits]
    changed, problems = [], []
    with write_transaction(db):
        stored = _stored_champions(db, [edit.get("id") for edit in edits])
        teams = _champion_team_ids(db)
        seen: dict[tuple, str] = {}
        for edit in edits:
            current = stored.get(edit.get("id"))
            if current is None:
                problems.append(f"There is no champion with id {edit.get('id')!r} in this workspace.")
                continue
            row, found = champion_rules.check_champion(
                edit.get("alias"), edit.get("team"), edit.get("started_on"), edit.get("ended_on"), teams
            )
            if found:
                problems.append(champion_rules.describe_problems(found, current["alias"]))
                continue
            key = champion_rules.roster_key(row["alias"], row["team_id"], row["started_on"])
            twin = seen.get(key) or _roster_twin(db, row, other_than=current["id"])
            if twin:
                problems.append(
                    f"{current['alias']}: {twin} is already in the roster of that team from {row['started_on']}."
                )
                continue
            seen[key] = current["alias"]
            outside = champion_rules.check_activities_within(
                current["alias"], row["started_on"], row["ended_on"], current.get("days", [])
            )
            if outside:
                problems.append(outside)
                continue
            if any(row[field] != current[field] for field in row):
                changed.append(row | {"id": current["id"]})
        if problems:
            raise ValueError("\n".join(problems))
        db.conn.executemany(
            "UPDATE champions SET alias = :alias, team_id = :team_id, started_on = :started_on, "
            "ended_on = :ended_on WHERE id = :id",
            changed,
        )
    return len(changed)


def retire_champion(db: Database, champion_id: int, ended_on: Any) -> None:
    """Record that a champion stepped down on `ended_on` (checked as update_champions checks an edit)."""
    stored = _stored_champions(db, [champion_id]).get(champion_id)
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
    from cxchange import champions as champion_rules

    with write_transaction(db):
        champion = _stored_champions(db, [champion_id]).get(champion_id)
        if champion is None:
            raise ValueError(f"There is no champion with id {champion_id!r} in this workspace.")
        row = champion_rules.check_activity(champion, kind, happened_on, people_reached, note, today or date.today())
        return db["champion_activities"].insert(row | {"champion_id": champion_id}).last_pk


def champion_batch_with_hash(db: Database, file_hash: str) -> dict[str, Any] | None:
    """The earlier roster import of the same file, if it is still there."""
    rows = list(
        db.query(
            "SELECT id, file_name, imported_at, imported_by FROM import_batches "
            "WHERE file_hash = :hash AND kind = 'champions'",
            {"hash": file_hash},
        )
    )
    return rows[0] if rows else None


def insert_champion_batch(db: Database, batch: Mapping[str, Any], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a roster import (its batch and checked champions), in the caller's transaction; returns the batch id."""
    batch_id = add_batch(db, batch)
    db.conn.executemany(
        "INSERT INTO champions (alias, team_id, started_on, ended_on, batch_id) "
        "VALUES (:alias, :team_id, :started_on, :ended_on, :batch_id)",
        [dict(row) | {"batch_id": batch_id} for row in rows],
    )
    return batch_id


def champion_batches(db: Database) -> pd.DataFrame:
    """Roster imports, newest first, with how many champions and logged sessions each still holds."""
    return frame(
        db,
        """
        SELECT import_batches.id, import_batches.file_name, import_batches.imported_at, import_batches.imported_by,
               (SELECT COUNT(*) FROM champions WHERE champions.batch_id = import_batches.id) AS champions,
               (SELECT COUNT(*) FROM champion_activities
                JOIN champions ON champions.id = champion_activities.champion_id
                WHERE champions.batch_id = import_batches.id) AS activities
        FROM import_batches WHERE kind = 'champions'
        ORDER BY import_batches.id DESC
        """,
    )


def undo_champion_batch(db: Database, batch: int) -> dict[str, int]:
    """Remove a roster import whole: its champions and the sessions logged for them since.

    Returns how many champions and activities went; raises ValueError where there is no such roster import.
    """
    with write_transaction(db):
        found = db.execute(
            """
            SELECT (SELECT COUNT(*) FROM champions WHERE batch_id = :id),
                   (SELECT COUNT(*) FROM champion_activities JOIN champions ON champions.id = champion_id
                    WHERE champions.batch_id = :id)
            FROM import_batches WHERE id = :id AND kind = 'champions'
            """,
            {"id": batch},
        ).fetchone()
        if found is None:
            raise ValueError(f"There is no roster import with batch number {batch!r}.")
        db.execute("DELETE FROM import_batches WHERE id = :id", {"id": batch})  # cascades to its champions
    return {"champions": found[0], "activities": found[1]}


# Programme health ------------------------------------------------------------------------------

from datetime import date  # noqa: E402, F811 - a feature's block keeps its imports with it (this file is appended to)

from cxchange import health  # noqa: E402


def health_inputs(db: Database, initiative_id: int) -> dict[str, Any]:
    """What the programme-health checks read about one initiative, as health.HealthData's fields.

    Small queries on the logs; the one scan of responses finds which teams take part in which wave.
    """
    found = db.execute("SELECT owner, started_on FROM initiatives WHERE id = :id", {"id": initiative_id})
    row = found.fetchone() or (None, None)
    params = {"initiative_id": initiative_id}
    return {
        "owner": row[0],
        "started_on": row[1],
        "sponsor_activities": sponsor_activities(db, initiative_id),
        "waves": frame(
            db, "SELECT name, opened_on FROM waves WHERE initiative_id = :initiative_id ORDER BY opened_on, id", params
        ),
        "outcome_periods": [period for (period,) in db.execute("SELECT DISTINCT period FROM cx_outcomes")],
        # Every recorded change, and steps saved without one (dated by their last update) as one change each.
        "kotter": frame(
            db,
            """
            SELECT step, status, changed_on FROM kotter_step_history WHERE initiative_id = :initiative_id
            UNION ALL
            SELECT step, status, COALESCE(updated_on, started_on) FROM kotter_steps
            WHERE initiative_id = :initiative_id AND NOT EXISTS (
                SELECT 1 FROM kotter_step_history AS history
                WHERE history.initiative_id = kotter_steps.initiative_id AND history.step = kotter_steps.step
            )
            """,
            params,
        ),
        "actions": frame(
            db,
            """
            SELECT title, team_id, element, status, created_on, closed_on FROM actions
            WHERE initiative_id = :initiative_id ORDER BY id
            """,
            params,
        ),
        "teams": frame(db, "SELECT id, name, parent_id FROM teams ORDER BY id"),
        "taking_part": frame(
            db,
            """
            SELECT DISTINCT taking_part.team_id, waves.opened_on
            FROM (
                SELECT wave_id, team_id FROM responses
                WHERE wave_id IN (SELECT id FROM waves WHERE initiative_id = :initiative_id)
                GROUP BY wave_id, team_id
                UNION
                SELECT wave_id, team_id FROM team_results
                WHERE wave_id IN (SELECT id FROM waves WHERE initiative_id = :initiative_id)
            ) AS taking_part
            JOIN waves ON waves.id = taking_part.wave_id
            """,
            params,
        ),
        "champions": frame(db, "SELECT id, alias, team_id, started_on, ended_on FROM champions ORDER BY id"),
        "champion_activities": frame(
            db, "SELECT champion_id, happened_on, kind FROM champion_activities ORDER BY happened_on, id"
        ),
        "ticks": health_ticks(db, initiative_id),
    }


def sponsor_activities(db: Database, initiative_id: int) -> pd.DataFrame:
    """The initiative's sponsor activities, newest first: id, sponsor, team_id, team, happened_on, kind, note."""
    result = frame(
        db,
        """
        SELECT sponsor_activities.id, sponsor_activities.sponsor, sponsor_activities.team_id, teams.name AS team,
               sponsor_activities.happened_on, sponsor_activities.kind, sponsor_activities.note
        FROM sponsor_activities LEFT JOIN teams ON teams.id = sponsor_activities.team_id
        WHERE sponsor_activities.initiative_id = :initiative_id
        ORDER BY sponsor_activities.happened_on DESC, sponsor_activities.id DESC
        """,
        {"initiative_id": initiative_id},
    )
    return result.astype({"team_id": "Int64"})


def health_ticks(db: Database, initiative_id: int) -> pd.DataFrame:
    """Every tick a facilitator gave the initiative's checks, oldest first: id, check_name, ticked, note, ticked_on.

    A check's current tick is its latest row; the earlier ones stay for the health trend.
    """
    return frame(
        db,
        """
        SELECT id, check_name, ticked, note, ticked_on FROM health_ticks
        WHERE initiative_id = :initiative_id ORDER BY ticked_on, id
        """,
        {"initiative_id": initiative_id},
    )


def _initiative_name(db: Database, initiative_id: Any) -> str:
    """The initiative's name, or ValueError naming the id that is not one of the workspace's initiatives."""
    row = db.execute("SELECT name FROM initiatives WHERE id = :id", {"id": initiative_id}).fetchone()
    if row is None:
        raise ValueError(f"Nothing saved: there is no initiative with id {initiative_id!r}.")
    return row[0]


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
    with write_transaction(db):
        _initiative_name(db, initiative_id)
        if team_id is not None and not db.execute("SELECT 1 FROM teams WHERE id = :id", {"id": team_id}).fetchone():
            raise ValueError(f"Nothing logged: there is no team with id {team_id!r}.")
        cursor = db.execute(
            """
            INSERT INTO sponsor_activities (initiative_id, sponsor, team_id, happened_on, kind, note)
            VALUES (:initiative_id, :sponsor, :team_id, :happened_on, :kind, :note)
            """,
            {"initiative_id": initiative_id, "team_id": None if team_id is None else int(team_id), **row},
        )
        return cursor.lastrowid


def tick_check(db: Database, initiative_id: int, check_name: str, ticked: bool, note: str | None, today: date) -> int:
    """Record a facilitator's tick (or explicit untick) of a check, dated `today`; returns its id.

    Ticks are never overwritten: the new row becomes the check's current tick. A refused check, or a
    tick without a note, raises ValueError and nothing is written.
    """
    row = health.check_tick(check_name, ticked, note)
    with write_transaction(db):
        _initiative_name(db, initiative_id)
        cursor = db.execute(
            """
            INSERT INTO health_ticks (initiative_id, check_name, ticked, note, ticked_on)
            VALUES (:initiative_id, :check_name, :ticked, :note, :ticked_on)
            """,
            {"initiative_id": initiative_id, **row, "ticked_on": today.isoformat()},
        )
        return cursor.lastrowid


def set_initiative_owner(db: Database, initiative_id: int, owner: str) -> None:
    """Name the one person accountable for an initiative; an empty or overlong name raises ValueError."""
    name = action_rules.check_owner(owner, required=True)
    with write_transaction(db):
        _initiative_name(db, initiative_id)
        db.execute("UPDATE initiatives SET owner = :owner WHERE id = :id", {"owner": name, "id": initiative_id})
