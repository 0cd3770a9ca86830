"""A workspace file that is locked, read-only, full or damaged: one sentence naming the file and what to do,
never a traceback, and a damaged file's backups still reachable. Real SQLite files throughout."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from playwright.sync_api import Page, expect
from streamlit.testing.v1 import AppTest
from test_browser import ARTIFACTS, serving, settled
from test_pages import as_read

from cxchange import services, store

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534


def app_on(path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CXCHANGE_DB", str(path))
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def errors(at: AppTest) -> list[str]:
    return [element.value for element in at.error]


def random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(64 * 1024))
    return path


def test_a_file_of_random_bytes_is_named_as_damaged(tmp_path: Path):
    path = random_bytes(tmp_path / "cxchange.db")
    with pytest.raises(sqlite3.DatabaseError) as raised:
        store.open_db(path)
    assert store.is_damaged(raised.value)
    sentence = store.failure_text(raised.value, path)
    assert sentence.startswith(f"The workspace file {path} is damaged")
    assert "Restore the last good backup" in sentence


def test_a_read_only_file_is_named_as_read_only(demo_path: Path):
    # As root, chmod does not stop a write: SQLite's own read-only mode fails the way a read-only file does.
    connection = sqlite3.connect(f"file:{demo_path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            connection.execute("UPDATE settings SET value = value")
    finally:
        connection.close()
    assert "readonly" in str(raised.value)
    assert store.failure_text(raised.value, demo_path).startswith(f"The workspace file {demo_path} is read-only")


def test_a_full_disk_is_named_and_nothing_is_half_written(demo_db, demo_path: Path):
    # SQLite's page limit fails a write with the very error a full disk gives (SQLITE_FULL).
    pages = demo_db.execute("PRAGMA page_count").fetchone()[0]
    demo_db.execute(f"PRAGMA max_page_count = {pages}")
    before = store.count(demo_db, "actions")

    def fill() -> None:
        for number in range(5000):
            services.add_action(
                demo_db, 1, f"Action {number} " + "x" * 180, owner="Ops lead", due_on="2026-12-31",
                today=date(2026, 12, 2),
            )  # fmt: skip

    with pytest.raises(sqlite3.OperationalError) as raised:
        fill()
    assert "full" in str(raised.value)
    assert store.failure_text(raised.value, demo_path).startswith(f"The disk holding {demo_path} is full")
    assert store.count(demo_db, "actions") - before < 5000
    assert demo_db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def locked(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo with another connection holding the write lock (BEGIN EXCLUSIVE), as a long import does;
    writers here give up after 0.2 s instead of 30."""
    monkeypatch.setenv("CXCHANGE_BUSY_TIMEOUT_S", "0.2")
    holder = sqlite3.connect(demo_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield demo_path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_save_while_another_import_holds_the_lock_waits_then_says_so(locked: Path):
    assert store.busy_timeout_ms() == 200
    database = store.open_db(locked)  # reading goes on while the writer works (WAL)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            services.save_settings(database, {"min_group_size": 7})
    finally:
        database.close()
    assert store.failure_text(raised.value, locked) == (
        "Someone else is saving to the workspace right now (an import may be running), so nothing was "
        "changed: try again in a moment."
    )


def test_the_settings_page_says_someone_else_is_saving_instead_of_a_traceback(locked: Path, monkeypatch):
    at = app_on(locked, monkeypatch)
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    at.number_input[0].set_value(7)
    at.button(key="settings_save").click().run()
    assert not at.exception
    assert errors(at) == [
        "Someone else is saving to the workspace right now (an import may be running), so nothing was "
        "changed: try again in a moment."
    ]
    assert at.title[0].value == "Settings"  # the page is still there, the sentence at its top


def test_a_damaged_file_gets_a_recovery_screen_that_restores_its_backup(demo_path: Path, monkeypatch):
    good = store.backup(store.open_db(demo_path), store.backup_path(demo_path, "scheduled"))
    random_bytes(demo_path)
    at = app_on(demo_path, monkeypatch).run()
    assert not at.exception
    assert at.title[0].value == "The workspace cannot be opened"
    assert errors(at)[0].startswith(f"The workspace file {demo_path} is damaged")
    assert at.selectbox(key="recovery_backup").value == good
    for page in ("app_pages/settings.py", "app_pages/readiness.py"):  # every page leads to the same screen
        at.switch_page(page).run()
        assert not at.exception
        assert at.title[0].value == "The workspace cannot be opened"
    next(b for b in at.button if b.label == "Restore this backup").click().run()
    assert not at.exception
    assert [as_read(s.value) for s in at.success] == [f"Restored {good.name} in place of the damaged file."]
    assert store.count(store.open_db(demo_path), "responses") > 6000
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Readiness index (0–100)") == "67"


def test_a_damaged_file_without_backups_can_be_set_aside(tmp_path: Path, monkeypatch):
    path = random_bytes(tmp_path / "cxchange.db")
    damaged = path.read_bytes()
    at = app_on(path, monkeypatch).run()
    assert f"There is no backup of it in {tmp_path / 'backups'}." in [m.value for m in at.markdown]
    next(b for b in at.button if b.label == "Set the damaged file aside and start again").click().run()
    assert not at.exception
    kept = next(tmp_path.glob("cxchange.db.damaged-*"))
    assert kept.read_bytes() == damaged
    assert "this is a new workspace" in at.success[0].value
    assert "Demo data" in at.info[0].value  # a new workspace starts with the demo, labelled


@pytest.fixture
def nobodys_folder() -> Iterator[Path]:
    """A folder outside pytest's private tmp (which only root may enter), with a home for user nobody."""
    folder = Path(tempfile.mkdtemp(prefix="cxchange-readonly-"))
    folder.chmod(0o755)
    home = folder / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.browser
def test_a_read_only_workspace_says_so_in_the_browser(demo_file: Path, nobodys_folder: Path, page: Page):
    """The server runs as user nobody (chmod binds nobody, unlike root) over a file and folder it may only read."""
    data = nobodys_folder / "data"
    data.mkdir()
    path = data / "cxchange.db"
    shutil.copy(demo_file, path)
    path.chmod(0o444)
    data.chmod(0o555)
    as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    check = subprocess.run([*as_nobody, "sh", "-c", f"echo > {path}"], capture_output=True)
    assert check.returncode != 0  # nobody really cannot write it
    log = nobodys_folder / "streamlit.log"
    with serving(path, log, prefix=as_nobody, env={"HOME": str(nobodys_folder / "home")}) as url:
        page.goto(url)
        expect(page.get_by_text(f"The workspace file {path} is read-only")).to_be_visible(timeout=60_000)
        settled(page)
        page.screenshot(path=ARTIFACTS / "read-only-workspace.png")
        assert page.get_by_test_id("stException").count() == 0
    data.chmod(0o755)


def test_an_unexpected_error_gets_a_reference_the_admin_finds_in_the_log(caplog):
    def script() -> None:
        from cxchange import ui

        with ui.database_errors():
            raise KeyError("Contact Centre")

    at = AppTest.from_function(script, default_timeout=30)
    with caplog.at_level("ERROR", logger="cxchange"):
        at.run()

    (shown,) = [element.value for element in at.error]
    reference = re.search(r"reference ([0-9A-F]{6})", shown).group(1)
    assert shown.startswith(f"Something went wrong on this page (reference {reference}).")
    assert "Contact Centre" not in shown  # the details go to the log, not to the visitor
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged
    assert "Contact Centre" in str(logged[0].exc_info[1])
    assert at.exception  # raised on, so Streamlit's log and the tests see it
