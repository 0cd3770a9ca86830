"""Backups that cannot empty a workspace: written whole or not at all, checked before a restore, pruned, and an
empty start that says what stays behind. Real SQLite files throughout."""

from __future__ import annotations

import filecmp
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_pages import as_read

from cxchange import sealing, services, store
from cxchange.model import DEFAULT_ITEMS

ROOT = Path(__file__).resolve().parent.parent


def responses(path: Path) -> int:
    database = store.open_db(path)
    try:
        return store.count(database, "responses")
    finally:
        database.close()


def test_a_backup_is_one_checked_file(demo_db, demo_path: Path):
    kept = services.backup_workspace(demo_db, "scheduled")
    assert store.backup_problem(kept) is None
    assert [path.name for path in kept.parent.iterdir()] == [kept.name]  # no -wal, no partial beside it
    assert responses(kept) == store.count(demo_db, "responses") > 6000


def test_a_backup_that_copies_damage_is_not_kept(demo_path: Path, tmp_path: Path):
    database = store.open_db(demo_path)
    page_size, pages = (database.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count"))
    database.close()
    with demo_path.open("r+b") as file:  # a page in the middle overwritten, as a failing disk does
        file.seek(page_size * (pages // 2))
        file.write(os.urandom(page_size * 4))
    database = store.open_db(demo_path)
    destination = tmp_path / "backups" / "demo-scheduled.db"
    with pytest.raises(store.BackupFailed, match=r"^The backup could not be written whole, so none was kept: "):
        store.backup(database, destination)
    database.close()
    assert list(destination.parent.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "bad.db is empty (0 bytes): it holds no workspace, so it is not restored. Choose another backup."),
        (os.urandom(8192), "bad.db is not a SQLite database, so it is not a cxchange backup: choose another one."),
        ("no tables", "bad.db is a SQLite database but not a cxchange workspace (it has no teams, waves, responses, "
         "settings table)."),
    ],
)  # fmt: skip
def test_a_restore_refuses_a_file_that_is_no_workspace(demo_db, tmp_path: Path, content, says):
    bad = tmp_path / "bad.db"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        other = sqlite3.connect(bad)
        other.execute("CREATE TABLE notes (text TEXT)")
        other.commit()
        other.close()
    before = store.count(demo_db, "responses")
    with pytest.raises(ValueError, match=f"^{re.escape(says)}$"):
        services.restore_backup(demo_db, bad)
    assert store.count(demo_db, "responses") == before > 6000


def test_a_damaged_workspace_is_not_replaced_by_an_empty_backup(tmp_path: Path):
    path = tmp_path / "cxchange.db"
    damaged = os.urandom(8192)
    path.write_bytes(damaged)
    empty = tmp_path / "backups" / "cxchange-before-empty-20261201-120000.db"
    empty.parent.mkdir()
    empty.touch()
    with pytest.raises(ValueError, match="is empty"):
        services.recover_workspace(path, empty)
    assert path.read_bytes() == damaged


def test_only_the_newest_backups_are_kept(demo_db, demo_path: Path):
    services.save_settings(demo_db, {"backups_kept": 3})
    made = [services.backup_workspace(demo_db, f"number-{number}") for number in range(5)]
    assert store.backups(demo_path) == made[:1:-1]  # the last three, newest first


@pytest.fixture
def settings_page(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.switch_page("app_pages/settings.py").run()


def click(at: AppTest, label: str) -> AppTest:
    return next(button for button in at.button if button.label == label).click().run()


def said(at: AppTest) -> str:
    """The page's text as markdown, then as a person reads it (messages escape the names they quote)."""
    written = "\n".join(str(e.value) for kind in ("markdown", "warning", "success", "error") for e in at.get(kind))
    return f"{written}\n{as_read(written)}"


def test_start_empty_says_what_backups_stay_and_can_delete_them(settings_page: AppTest, demo_db, demo_path: Path):
    for label in ("scheduled", "before-undo"):
        services.backup_workspace(demo_db, label)
    at = click(settings_page.run(), "Start an empty workspace")
    assert f"2 backups of earlier workspaces stay in {demo_path.parent / 'backups'}" in said(at)
    at = click(at, "Yes, start empty")
    assert not at.exception
    assert "3 backups are kept in" in said(at)  # the two and the one taken now
    assert len(store.backups(demo_path)) == 3

    services.write_demo(demo_db)
    at = click(at.run(), "Start an empty workspace")
    assert "3 backups of earlier workspaces stay in" in said(at)
    at.checkbox(key="delete_backups").check().run()
    at = click(at, "Yes, start empty")
    assert not at.exception
    assert "Started an empty workspace and deleted 3 backups: nothing of the previous one is kept." in said(at)
    assert store.backups(demo_path) == []
    assert responses(demo_path) == 0


def test_an_empty_backup_is_refused_before_anything_is_replaced(settings_page: AppTest, demo_path: Path):
    empty = demo_path.parent / "backups" / "demo-before-empty-20261201-120000.db"
    empty.parent.mkdir()
    empty.touch()
    at = click(settings_page.run(), "Restore this backup")
    assert not at.exception
    assert "demo-before-empty-20261201-120000.db is empty (0 bytes)" in said(at)
    assert not [button for button in at.button if button.label == "Yes, restore it"]
    assert responses(demo_path) > 6000
    assert store.backups(demo_path) == [empty]  # no backup taken for a restore that cannot happen


def readiness_json(path: Path, capsys) -> str:
    from cxchange import cli

    assert cli.main(["readiness", "--db", str(path), "--json"]) == 0
    return capsys.readouterr().out


def test_backup_and_restore_from_the_command_line_round_trip(demo_path: Path, tmp_path: Path, capsys):
    from cxchange import cli

    before = readiness_json(demo_path, capsys)
    out = tmp_path / "kept" / "friday.db"
    assert cli.main(["backup", "--db", str(demo_path), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"Kept a backup of {demo_path} in {out} (")
    assert cli.main(["backup", "--db", str(demo_path), "--out", str(demo_path)]) == 2
    assert "give the backup a file of its own" in capsys.readouterr().err

    database = store.open_db(demo_path)  # the workspace changes after the backup…
    services.save_settings(database, {"min_group_size": 12})
    database.close()
    assert readiness_json(demo_path, capsys) != before

    assert cli.main(["restore", str(out), "--db", str(demo_path)]) == 0  # …and the restore puts it back
    said = capsys.readouterr().out
    assert said.startswith(f"Restored friday.db into {demo_path}; what it replaced is kept in ")
    assert readiness_json(demo_path, capsys) == before
    replaced = Path(said.rsplit("kept in ", 1)[1].strip().rstrip("."))
    assert (
        store.open_db(replaced).execute("SELECT value FROM settings WHERE name = 'min_group_size'").fetchone()[0]
        == "12"
    )
    trail = store.people.audit(store.open_db(demo_path))
    assert trail.iloc[0]["action"] == "backup restored"


def test_restoring_a_bad_file_from_the_command_line_changes_nothing(demo_path: Path, tmp_path: Path, capsys):
    from cxchange import cli

    before = readiness_json(demo_path, capsys)
    for name, content in (("empty.db", b""), ("notes.db", b"not a database at all")):
        bad = tmp_path / name
        bad.write_bytes(content)
        assert cli.main(["restore", str(bad), "--db", str(demo_path)]) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"error: {name} ")
        assert "Traceback" not in error
    assert readiness_json(demo_path, capsys) == before
    assert store.backups(demo_path) == []  # refused before a backup of the workspace was even taken


def test_an_undo_and_a_merge_keep_a_backup_first(own_workspace: Path):
    database = store.open_db(own_workspace)
    survey = ROOT / "tests" / "fixtures" / "imports" / "qualtrics_choice_text.csv"
    batch = services.import_survey(database, survey.read_bytes(), survey.name, "Wave 1").batch_id
    held = store.count(database, "responses")
    assert services.undo_batch(database, batch) == 8

    (kept,) = store.backups(own_workspace)
    assert "before-undo" in kept.name
    assert responses(kept) == held  # the backup holds what the undo removed
    entry = store.people.audit(database).iloc[0]
    assert (entry["action"], json.loads(entry["detail"])["backup"]) == ("import undone", kept.name)

    ids = store.org.team_ids(database)
    services.save_teams(database, [{"row": "Row 1", "id": None, "name": "Pop-up Stores", "parent": "Stores"}])
    ids = store.org.team_ids(database)
    services.merge_teams(database, ids["Pop-up Stores"], ids["Stores North"])
    assert any("before-merge" in path.name for path in store.backups(own_workspace))
    database.close()


def test_a_scheduled_backup_is_taken_when_the_newest_is_older_than_the_setting(demo_db, demo_path: Path):
    from datetime import datetime, timedelta

    services.save_settings(demo_db, {"backup_every_days": 1})  # the suite's demo has the schedule off
    first = services.scheduled_backup(demo_db)  # none yet: due
    assert first is not None
    assert "scheduled" in first.name
    assert services.scheduled_backup(demo_db) is None  # one from a moment ago: not due
    assert services.scheduled_backup(demo_db, now=datetime.now() + timedelta(days=1, minutes=1)) is not None
    assert store.people.audit(demo_db).iloc[0]["actor"] == "backup schedule"

    services.save_settings(demo_db, {"backup_every_days": 0})
    assert services.scheduled_backup(demo_db, now=datetime.now() + timedelta(days=400)) is None
    assert len(store.backups(demo_path)) == 2


# Encrypted backups ---------------------------------------------------------------------------

KEY = "correct horse battery staple, 2026"


def sealed(data: bytes, secret: str = KEY, chunk_bytes: int = 1024) -> bytes:
    out = io.BytesIO()
    sealing.seal(io.BytesIO(data), out, secret, chunk_bytes=chunk_bytes)
    return out.getvalue()


def opened(data: bytes, secret: str = KEY) -> bytes:
    out = io.BytesIO()
    sealing.unseal(io.BytesIO(data), out, secret)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 5 * 1024, 5 * 1024 + 7])
def test_a_sealed_file_opens_to_the_same_bytes(size: int):
    data = os.urandom(size)
    box = sealed(data)
    chunks = max(1, -(-size // 1024))
    assert len(box) == sealing.HEADER_BYTES + size + chunks * sealing.TAG_BYTES
    assert opened(box) == data
    if size >= 64:
        assert data[:64] not in box  # nothing of the plain file shows


def test_a_sealed_file_refuses_another_key():
    with pytest.raises(sealing.WrongKey):
        opened(sealed(b"every response"), "another key of some length")


def chunks_of(box: bytes, chunk_bytes: int = 1024) -> list[bytes]:
    body = box[sealing.HEADER_BYTES :]
    step = chunk_bytes + sealing.TAG_BYTES
    return [body[start : start + step] for start in range(0, len(body), step)]


@pytest.mark.parametrize(
    "damage",
    [
        "cut at a chunk boundary",
        "cut inside a chunk",
        "last chunk dropped",
        "header cut",
        "two chunks swapped",
        "a chunk repeated",
    ],
)
def test_a_sealed_file_cut_short_or_reordered_is_refused(damage: str):
    box = sealed(os.urandom(4 * 1024 + 100))
    header, parts = box[: sealing.HEADER_BYTES], chunks_of(box)
    damaged = {
        "cut at a chunk boundary": header + b"".join(parts[:2]),
        "cut inside a chunk": box[:-50],
        "last chunk dropped": header + b"".join(parts[:-1]),
        "header cut": box[: sealing.HEADER_BYTES - 3],
        "two chunks swapped": header + parts[1] + parts[0] + b"".join(parts[2:]),
        "a chunk repeated": header + parts[0] + b"".join(parts),
    }[damage]
    with pytest.raises(sealing.Damaged, match="cut short"):
        opened(damaged)


@pytest.mark.parametrize("where", [len(sealing.MAGIC) + 2, sealing.HEADER_BYTES - 20, sealing.HEADER_BYTES + 5, -1])
def test_a_sealed_file_with_one_flipped_bit_is_refused(where: int):
    box = bytearray(sealed(os.urandom(3000)))
    box[where] ^= 0x01
    with pytest.raises(sealing.SealError):
        opened(bytes(box))


def test_sealing_holds_one_chunk_in_memory_whatever_the_file_size(tmp_path: Path):
    plain, box = tmp_path / "plain.bin", tmp_path / "plain.bin.sealed"
    with plain.open("wb") as file:
        for _ in range(32):
            file.write(os.urandom(1 << 20))  # 32 MB
    tracemalloc.start()
    with plain.open("rb") as source, box.open("wb") as target:
        sealing.seal(source, target, KEY)
    with box.open("rb") as source, (tmp_path / "back.bin").open("wb") as target:
        sealing.unseal(source, target, KEY)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * sealing.CHUNK_BYTES, f"{peak / 1e6:.1f} MB at the peak"
    assert filecmp.cmp(plain, tmp_path / "back.bin", shallow=False)


@pytest.fixture
def with_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Backups encrypted with KEY (set as the command line and the app read it)."""
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, KEY)
    return KEY


def test_with_a_key_every_backup_is_encrypted(demo_db, demo_path: Path, with_key: str, tmp_path: Path):
    kept = services.backup_workspace(demo_db, "scheduled")
    exported = services.export_backup(demo_db, tmp_path / "friday.db")
    assert kept.name.endswith(".db.sealed")
    for path in (kept, exported):
        content = path.read_bytes()
        assert store.is_sealed(path)
        assert not content.startswith(store.base.SQLITE_HEADER)
        assert b"Northwind" not in content  # no name of the organisation…
        assert b"Stores North" not in content  # …or of a team is readable
        assert store.backup_problem(path, with_key) is None
    assert store.backups(demo_path) == [kept]
    assert [path.name for path in kept.parent.iterdir()] == [kept.name]  # no plain copy left anywhere
    assert sorted(path.name for path in demo_path.parent.iterdir() if path.name.startswith(".")) == []


def test_an_encrypted_backup_is_refused_without_its_key_and_the_workspace_stays(
    demo_db, demo_path: Path, with_key: str, monkeypatch: pytest.MonkeyPatch
):
    kept = services.backup_workspace(demo_db, "scheduled")
    services.clear_workspace(demo_db)
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, "")
    with pytest.raises(store.BackupRefused) as missing:
        services.restore_backup(demo_db, kept)
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, "a key it was not written with")
    with pytest.raises(store.BackupRefused) as wrong:
        services.restore_backup(demo_db, kept)
    assert str(missing.value) == (
        f"{kept.name} is encrypted and no backup key is set here, so it cannot be read: set the key it was written "
        "with as [backups] key in .streamlit/secrets.toml (or $CXCHANGE_BACKUP_KEY)."
    )
    assert str(wrong.value) == (
        f"{kept.name} was encrypted with another key than the one set here ([backups] key in "
        ".streamlit/secrets.toml (or $CXCHANGE_BACKUP_KEY)), so it cannot be read: set the key it was written with."
    )
    assert store.count(demo_db, "responses") == 0  # as it was: nothing restored
    assert store.people.audit(demo_db).iloc[0]["action"] == "workspace emptied"


@pytest.mark.parametrize("damage", ["cut short", "one byte flipped"])
def test_a_damaged_encrypted_backup_is_refused_and_the_workspace_stays(demo_db, with_key: str, damage: str):
    kept = services.backup_workspace(demo_db, "scheduled")
    content = bytearray(kept.read_bytes())
    if damage == "cut short":
        del content[len(content) // 2 :]
    else:
        content[len(content) // 3] ^= 0x80
    kept.write_bytes(bytes(content))
    before = store.count(demo_db, "responses")
    with pytest.raises(
        ValueError, match=rf"^{re.escape(kept.name)} is damaged \(it is cut short or has been changed\)"
    ):
        services.restore_backup(demo_db, kept)
    assert store.count(demo_db, "responses") == before > 6000
    assert [path.name for path in kept.parent.iterdir()] == [kept.name]  # the decrypted part is gone


def test_an_encrypted_backup_round_trips_from_the_command_line(demo_path: Path, tmp_path: Path, with_key, capsys):
    from cxchange import cli

    before = readiness_json(demo_path, capsys)
    out = tmp_path / "kept" / "friday.db"
    assert cli.main(["backup", "--db", str(demo_path), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"Kept an encrypted backup of {demo_path} in {out} (")
    assert store.is_sealed(out)

    database = store.open_db(demo_path)  # the workspace changes after the backup…
    services.save_settings(database, {"min_group_size": 12})
    database.close()
    assert readiness_json(demo_path, capsys) != before

    assert cli.main(["restore", str(out), "--db", str(demo_path)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Restored friday.db into {demo_path}; what it replaced is kept in ")
    assert readiness_json(demo_path, capsys) == before
    replaced = Path(said.rsplit("kept in ", 1)[1].strip().rstrip("."))
    assert store.is_sealed(replaced)  # the backup taken before the restore is encrypted too


def test_a_wrong_key_on_the_command_line_changes_nothing(
    demo_path: Path, tmp_path: Path, with_key, capsys, monkeypatch
):
    from cxchange import cli

    out = tmp_path / "friday.db"
    assert cli.main(["backup", "--db", str(demo_path), "--out", str(out)]) == 0
    capsys.readouterr()
    before = readiness_json(demo_path, capsys)
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, "not the key of friday.db")
    assert cli.main(["restore", str(out), "--db", str(demo_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: friday.db was encrypted with another key than the one set here")
    assert "Traceback" not in error
    assert readiness_json(demo_path, capsys) == before
    assert store.backups(demo_path) == []


def test_the_key_comes_from_the_secrets_file(demo_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "deployed"
    (folder / ".streamlit").mkdir(parents=True)
    secrets = folder / ".streamlit" / "secrets.toml"
    secrets.write_text(f'[auth]\ncookie_secret = "x"\n\n[backups]\nkey = "{KEY}"\n', encoding="utf-8")
    monkeypatch.delenv(store.base.BACKUP_KEY_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(folder)
    assert store.backup_key_source() == (KEY, str(secrets))
    kept = services.backup_workspace(demo_db, "scheduled")
    assert store.is_sealed(kept)
    assert store.backup_problem(kept, KEY) is None

    secrets.write_text("[backups]\nkey = 12\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=r'^\[backups\] key in .*secrets\.toml must be text in quotes \(key = "\.\.\."\)'
    ):
        store.backup_key()
    secrets.write_text("[backups\nkey = ", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^The secrets file .*secrets\.toml is not valid TOML"):
        store.backup_key()


def test_a_damaged_workspace_is_recovered_from_an_encrypted_backup(demo_path: Path, with_key: str, capsys):
    before = readiness_json(demo_path, capsys)
    database = store.open_db(demo_path)
    kept = services.backup_workspace(database, "scheduled")
    database.close()
    demo_path.write_bytes(os.urandom(8192))
    services.recover_workspace(demo_path, kept)
    assert readiness_json(demo_path, capsys) == before


def test_the_workspace_tab_says_whether_backups_are_encrypted(
    settings_page: AppTest, demo_db, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, "")
    services.backup_workspace(demo_db, "scheduled")
    at = settings_page.run()
    assert "Backups are **not encrypted**: anyone who gets a backup file can read every response in it." in said_all(at)
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, KEY)
    services.backup_workspace(demo_db, "before-undo")
    at = settings_page.run()
    assert not at.exception
    assert "Backups are **encrypted** (AES-256-GCM) with the backup key from $CXCHANGE_BACKUP_KEY." in said_all(at)
    labels = [option for box in at.selectbox if box.label == "Backup" for option in box.options]
    assert [label.endswith(" · encrypted") for label in labels] == [True, False]
    assert "Download this backup" in [button.label for button in at.get("download_button")]
    assert not at.warning
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, "short key")
    at = settings_page.run()
    assert "The backup key is 9 characters long: use at least 16 random ones" in said_all(at)


def said_all(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "info", "warning", "success", "error") for e in at.get(kind))


# Backups while others write ------------------------------------------------------------------

WRITER = """
import sys
import time
from pathlib import Path
from cxchange import services, store

db = store.open_db(sys.argv[1])
print("ready", flush=True)
for name in sys.argv[3:]:
    path = Path(name)
    services.import_survey(db, path.read_bytes(), path.name, sys.argv[2])
    time.sleep(0.5)
db.close()
"""
"""A writer: its own process and connection, importing its files one after another (a moment apart, as people
do), one batch each."""

ROWS_PER_FILE = 2000
FILES_PER_WRITER = 4


def survey_file(path: Path, writer: str, number: int) -> Path:
    """A plain export of ROWS_PER_FILE responses with ids of their own (writer, file, row)."""
    lines = [",".join(["Response ID", "Team", *(f'"{item.text}"' for item in DEFAULT_ITEMS)])]
    for row in range(ROWS_PER_FILE):
        answers = [str((row + item + number) % 5 + 1) for item in range(len(DEFAULT_ITEMS))]
        lines.append(",".join([f"{writer}{number}-{row}", f"Team {writer}{row % 4}", *answers]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def batches_in(path: Path) -> dict[str, int]:
    """Each import batch a workspace holds (by file name) and the responses it has of it."""
    connection = sqlite3.connect(path)
    try:
        return dict(
            connection.execute(
                "SELECT b.file_name, COUNT(r.id) FROM import_batches b LEFT JOIN responses r ON r.batch_id = b.id "
                "GROUP BY b.id"
            ).fetchall()
        )
    finally:
        connection.close()


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
def test_a_backup_taken_while_two_writers_import_holds_each_batch_whole_or_not_at_all(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None
):
    monkeypatch.setenv(store.base.BACKUP_KEY_ENV, key or "")
    files = {
        writer: [survey_file(tmp_path / f"{writer}-{number}.csv", writer, number) for number in range(FILES_PER_WRITER)]
        for writer in ("A", "B")
    }
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), f"Wave {writer}", *map(str, paths)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for writer, paths in files.items()
    ]
    for writer in writers:  # started (Python and pandas loaded, the file open): backups from here on
        assert writer.stdout.readline() == b"ready\n", writer.stderr.read().decode()
    database = store.open_db(db_path)
    taken: list[Path] = []
    try:
        while any(writer.poll() is None for writer in writers) or not taken:
            taken.append(services.export_backup(database, tmp_path / "taken" / f"{len(taken):03d}.db"))
            time.sleep(0.1)  # a backup every moment, leaving the writers room between its audit entries
    finally:
        for writer in writers:
            assert writer.wait(timeout=120) == 0, writer.stderr.read().decode()
            writer.stdout.close()
            writer.stderr.close()
    names = {writer: [path.name for path in paths] for writer, paths in files.items()}
    assert batches_in(db_path) == {name: ROWS_PER_FILE for group in names.values() for name in group}  # both whole

    held = []
    for backup in taken:
        restored = tmp_path / "restored.db"
        restored.unlink(missing_ok=True)
        target = store.open_db(restored)
        services.restore_backup(target, backup)  # decrypted where it is encrypted
        target.close()
        found = batches_in(restored)
        assert set(found.values()) <= {ROWS_PER_FILE}, (backup.name, found)  # every batch whole…
        for group in names.values():  # …and each writer's batches the first ones it imported
            assert [name for name in group if name in found] == group[: len([n for n in group if n in found])]
        held.append(len(found))
    assert store.is_sealed(taken[0]) == (key is not None)
    assert any(0 < count < 2 * FILES_PER_WRITER for count in held), held  # one at least taken while they wrote
    print(f"{len(taken)} backups while two writers imported {2 * FILES_PER_WRITER} files: batches held {held}")
