"""Connections, transactions, backups and the generic helpers every store module uses."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange import migrations, sealing

PROJECT_ROOT = Path(__file__).resolve().parents[2]


BUSY_TIMEOUT_MS = 30_000
"""How long a write waits for another writer (an import) before it gives up: $CXCHANGE_BUSY_TIMEOUT_S overrides."""


def busy_timeout_ms() -> int:
    """The busy timeout in milliseconds: $CXCHANGE_BUSY_TIMEOUT_S (seconds) where set, else BUSY_TIMEOUT_MS."""
    seconds = os.environ.get("CXCHANGE_BUSY_TIMEOUT_S", "").strip()
    return int(float(seconds) * 1000) if seconds else BUSY_TIMEOUT_MS


DATA_TABLES: tuple[str, ...] = (
    "kotter_step_history",
    "kotter_steps",
    "champion_activities",
    "champions",
    "sponsor_activities",
    "cx_outcomes",
    "actions",
    "workshop_sessions",
    "pulse_devices",
    "pulse_teams",
    "pulses",
    "responses",
    "team_results",
    "import_batches",
    "waves",
    "initiatives",
    "team_merges",
    "teams",
)
"""Tables holding an organisation's data, children before parents, so they empty in this order."""


def default_path() -> Path:
    """The database file: $CXCHANGE_DB, or data/cxchange.db in the project."""
    return Path(os.environ.get("CXCHANGE_DB") or PROJECT_ROOT / "data" / "cxchange.db")


def connect(path: str | Path) -> Database:
    """Open the file with WAL, foreign keys and a busy timeout, so concurrent writers wait, not fail."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    timeout = busy_timeout_ms()
    conn = sqlite3.connect(str(path), timeout=timeout / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    _use_wal(db, timeout)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _use_wal(db: Database, timeout_ms: int) -> None:
    """Switch the file to WAL, retrying: SQLite reports "locked" here without waiting on its busy timeout."""
    deadline = time.monotonic() + timeout_ms / 1000
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


def failure_text(error: BaseException, path: str | Path) -> str | None:
    """What went wrong with the workspace file, for the person at the screen (one sentence naming the file
    and what to do), or None for an error that is not about the file (a bug: it is raised as it is)."""
    message = str(error).lower()
    name = str(path)
    if "locked" in message or "busy" in message:
        return (
            "Someone else is saving to the workspace right now (an import may be running), so nothing was "
            "changed: try again in a moment."
        )
    if "readonly" in message or "read-only" in message:
        return (
            f"The workspace file {name} is read-only (or its folder is), so nothing can be saved: make the "
            "file and its folder writable for the account that runs cxchange, or set CXCHANGE_DB to a file in "
            "a folder it can write."
        )
    if "disk is full" in message or "disk full" in message:
        return (
            f"The disk holding {name} is full, so nothing was changed: free some space there (old backups in "
            "its backups folder are a start), then try again."
        )
    if "not a database" in message or "malformed" in message or "file is encrypted" in message:
        return (
            f"The workspace file {name} is damaged: it is not a readable cxchange database. Restore the "
            "last good backup below, or set the damaged file aside and start again."
        )
    if "unable to open" in message or isinstance(error, PermissionError | FileNotFoundError | NotADirectoryError):
        return (
            f"The workspace file {name} cannot be opened (its folder is missing, or the account that runs "
            "cxchange may not read or write there): check the folder, or set CXCHANGE_DB to a file in a folder "
            "it can write."
        )
    return None


def is_damaged(error: BaseException) -> bool:
    """Whether the error says the file itself is not a readable database (a backup can help)."""
    message = str(error).lower()
    return isinstance(error, sqlite3.DatabaseError) and ("not a database" in message or "malformed" in message)


def frame(db: Database, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame (columns kept even when no row matches)."""
    cursor = db.execute(sql, params or {})
    columns = [column[0] for column in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


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


def insert_rows(db: Database, table: str, rows: Iterable[Mapping[str, Any]], pk: str = "id") -> None:
    """Insert plain rows into one of the schema's tables."""
    db[table].insert_all(rows, pk=pk, batch_size=5000)


def count(db: Database, table: str) -> int:
    """Rows in one of the schema's tables."""
    return db[table].count


def has_data(db: Database) -> bool:
    """Whether the workspace holds any team yet."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM teams)").fetchone()[0] == 1


def clear_data(db: Database) -> None:
    """Delete the organisation's data (teams, surveys, logs), keeping settings and the question bank."""
    db.execute("UPDATE teams SET parent_id = NULL")
    for table in DATA_TABLES:
        db[table].delete_where()


SQLITE_HEADER = b"SQLite format 3\x00"
WORKSPACE_TABLES = ("teams", "waves", "responses", "settings")
"""Tables every cxchange workspace has had since its first schema: a file without them is no workspace."""

BACKUP_KEY_ENV = "CXCHANGE_BACKUP_KEY"
"""The environment variable holding the backup key; where set (even empty: no key) it wins over the secrets file."""
SEALED_SUFFIX = ".sealed"
"""What an encrypted backup's name ends with in the backups folder (after .db): it is no SQLite file as it is."""
KEY_WHERE = f"[backups] key in .streamlit/secrets.toml (or ${BACKUP_KEY_ENV})"


def secrets_files() -> list[Path]:
    """The secrets files Streamlit reads by default, the later winning: the user's, the folder's the app is run
    from, the project's (beside app.py)."""
    found = [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]
    project = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    return found if project.resolve() in {path.resolve() for path in found} else [*found, project]


def backup_key_source() -> tuple[str | None, str | None]:
    """The backup key and where it was found ($CXCHANGE_BACKUP_KEY or a secrets file), or (None, None) where
    backups are not encrypted. A secrets file that is no TOML raises ValueError naming it."""
    if BACKUP_KEY_ENV in os.environ:
        key = os.environ[BACKUP_KEY_ENV]
        return (key, f"${BACKUP_KEY_ENV}") if key else (None, None)
    found: tuple[str | None, str | None] = (None, None)
    for path in secrets_files():
        if not path.is_file():
            continue
        try:
            secrets = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"The secrets file {path} is not valid TOML ({error}): correct it.") from None
        section = secrets.get("backups")
        key = section.get("key") if isinstance(section, dict) else None
        if key is not None:
            if not isinstance(key, str):
                raise ValueError(f'[backups] key in {path} must be text in quotes (key = "..."), not {key!r}.')
            found = (key, str(path)) if key else (None, None)
    return found


def backup_key() -> str | None:
    """The secret backups are encrypted with (see backup_key_source), or None: backups are plain SQLite files."""
    return backup_key_source()[0]


def is_sealed(path: str | Path) -> bool:
    """Whether the file at `path` is an encrypted backup (cxchange.sealing's format)."""
    with Path(path).open("rb") as file:
        return sealing.is_sealed(file.read(len(sealing.MAGIC)))


class BackupRefused(ValueError):
    """A file that is no usable backup here; the message is one sentence naming it and what to do."""


def _plain_problem(path: Path, name: str) -> str | None:
    """Why the plain SQLite file at `path` (shown as `name`) is no workspace backup, or None."""
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return f"{name} is not a SQLite database, so it is not a cxchange backup: choose another one."
    try:
        # Not read-only: a read-only connection to a WAL file leaves its -wal and -shm behind.
        connection = sqlite3.connect(str(path))
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return f"{name} is damaged ({error}): choose another backup."
    if verdict != "ok":
        return f"{name} is damaged (SQLite's integrity check: {verdict}): choose another backup."
    missing = [table for table in WORKSPACE_TABLES if table not in tables]
    if missing:
        return f"{name} is a SQLite database but not a cxchange workspace (it has no {', '.join(missing)} table)."
    return None


@contextmanager
def _opened(source: str | Path, key: str | None, scratch: str | Path | None = None) -> Iterator[Path]:
    """The checked plain workspace file of the backup `source`: the file itself, or, where it is encrypted, a
    copy decrypted into `scratch` (default: beside it; a folder that holds a plain workspace already), deleted
    after. Raises BackupRefused (one sentence) where it is missing, empty, encrypted without the key or with
    another, damaged, or no workspace."""
    source = Path(source)
    name = source.name
    if not source.is_file():
        raise BackupRefused(f"There is no backup {name} any more.")
    if source.stat().st_size == 0:
        raise BackupRefused(
            f"{name} is empty (0 bytes): it holds no workspace, so it is not restored. Choose another backup."
        )
    if not is_sealed(source):
        if problem := _plain_problem(source, name):
            raise BackupRefused(problem)
        yield source
        return
    if key is None:
        raise BackupRefused(
            f"{name} is encrypted and no backup key is set here, so it cannot be read: set the key it was "
            f"written with as {KEY_WHERE}."
        )
    folder = Path(scratch) if scratch is not None else source.parent
    descriptor, plain_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".opening", dir=folder)
    plain = Path(plain_name)
    try:
        with source.open("rb") as sealed, os.fdopen(descriptor, "wb") as target:
            try:
                sealing.unseal(sealed, target, key)
            except sealing.WrongKey:
                raise BackupRefused(
                    f"{name} was encrypted with another key than the one set here ({KEY_WHERE}), so it cannot be "
                    "read: set the key it was written with."
                ) from None
            except sealing.SealError as error:
                raise BackupRefused(f"{name} is damaged ({error}): choose another backup.") from None
        if problem := _plain_problem(plain, name):
            raise BackupRefused(problem)
        yield plain
    finally:
        plain.unlink(missing_ok=True)


def backup_problem(path: str | Path, key: str | None = None) -> str | None:
    """Why the file at `path` is no usable workspace backup (one sentence naming it), or None where it is one:
    empty, not SQLite, failing SQLite's integrity check, without a workspace's tables, or encrypted and not
    readable with `key` (none, another, or the file damaged; an encrypted one is decrypted to be checked)."""
    try:
        with _opened(path, key):
            return None
    except BackupRefused as refused:
        return str(refused)


class BackupFailed(ValueError):
    """A backup that could not be written whole; nothing was left in its place. The message is one sentence."""


def backup(db: Database, destination: str | Path, key: str | None = None) -> Path:
    """Copy the whole database, consistently, to `destination` (SQLite's online backup): written to a
    temporary file beside it, checked (integrity, the workspace's tables), then renamed into place, so a
    backup that exists is whole. With `key` the file is encrypted (cxchange.sealing): the plain copy is made
    beside the workspace, checked, sealed a chunk at a time beside `destination`, read back, then deleted.
    A failure leaves no file and raises (BackupFailed where the copy is bad)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    plain = partial if key is None else file_of(db).with_name(f".{destination.name}.plain")
    try:
        target = sqlite3.connect(str(plain))
        try:
            db.conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
        if problem := _plain_problem(plain, plain.name):
            raise BackupFailed(f"The backup could not be written whole, so none was kept: {problem}")
        if key is not None:
            with plain.open("rb") as source, partial.open("wb") as sealed:
                sealing.seal(source, sealed, key)
            with partial.open("rb") as sealed, Path(os.devnull).open("wb") as nowhere:
                try:
                    sealing.unseal(sealed, nowhere, key)
                except sealing.SealError as error:
                    raise BackupFailed(
                        f"The backup could not be written whole, so none was kept: it does not read back ({error})."
                    ) from None
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
        plain.unlink(missing_ok=True)
    return destination


def prune_backups(db_path: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of `db_path`; returns those deleted."""
    old = backups(db_path)[max(int(keep), 0) :]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def delete_backups(db_path: str | Path) -> list[Path]:
    """Delete every backup of `db_path`; returns those deleted."""
    return prune_backups(db_path, 0)


def file_of(db: Database) -> Path:
    """The file a connection has open."""
    return Path(next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"))


def backup_path(db_path: str | Path, label: str, now: datetime | None = None, sealed: bool = False) -> Path:
    """Where a backup of `db_path` taken now goes: data/backups/<stem>-<label>-<timestamp>.db, with .sealed
    after it where it is encrypted.

    Never an existing file: a second backup within the same second gets a suffix, not the first's place.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    db_path = Path(db_path)
    ending = ".db" + (SEALED_SUFFIX if sealed else "")
    candidate = db_path.parent / "backups" / f"{db_path.stem}-{label}-{stamp}{ending}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = candidate.with_name(f"{db_path.stem}-{label}-{stamp}-{number}{ending}")
    return candidate


def backups(db_path: str | Path) -> list[Path]:
    """Backups of `db_path`, newest first (by when they were written: their names start with their label)."""
    db_path = Path(db_path)
    folder = db_path.parent / "backups"
    patterns = (f"{db_path.stem}-*.db", f"{db_path.stem}-*.db{SEALED_SUFFIX}")
    found = [path for pattern in patterns for path in folder.glob(pattern)] if folder.exists() else []
    return sorted(found, key=lambda path: (path.stat().st_mtime_ns, path.name), reverse=True)


def _sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def replace_file(path: str | Path, source: str | Path, key: str | None = None) -> None:
    """Put a copy of the backup `source` (decrypted with `key` where it is encrypted) in place of the workspace
    file that cannot be opened: copied beside it first, then renamed over it, so the file is either the old one
    or the whole backup. Only for a file no connection has open (a damaged one): its WAL, which belongs to the
    damaged file, goes first. A backup that is no workspace, or cannot be decrypted, is refused (BackupRefused,
    a ValueError), the file left as it was."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.restoring")
    try:
        with _opened(source, key, scratch=path.parent) as plain:
            shutil.copyfile(plain, partial)
        for sidecar in _sidecars(path):
            sidecar.unlink(missing_ok=True)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def set_aside(path: str | Path, now: datetime | None = None) -> Path:
    """Rename a damaged workspace file (and its WAL) out of the way, kept for whoever wants to look at it;
    the next start creates a new workspace. Returns where it went."""
    path = Path(path)
    aside = path.with_name(f"{path.name}.damaged-{(now or datetime.now()):%Y%m%d-%H%M%S}")
    for sidecar in _sidecars(path):
        if sidecar.exists():
            sidecar.replace(Path(f"{aside}{sidecar.name.removeprefix(path.name)}"))
    path.replace(aside)
    return aside


def restore(db: Database, source: str | Path, key: str | None = None) -> None:
    """Replace the whole database with the backup at `source` (decrypted with `key` where it is encrypted),
    refused (BackupRefused, a ValueError, one sentence) where it is empty, not SQLite, damaged, no workspace,
    or encrypted and `key` is missing or another: the workspace is left as it was."""
    with _opened(source, key, scratch=file_of(db).parent) as plain:
        origin = sqlite3.connect(str(plain))
        try:
            origin.backup(db.conn)
        finally:
            origin.close()
    migrations.apply(db)
