"""Shared fixtures: named for what they give (an empty migrated db, the demo in a file, a small frame)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from playwright.sync_api import Browser, Page, sync_playwright
from streamlit.testing.v1 import AppTest
from test_browser import serving

from cxchange import services, store
from cxchange.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def pytest_configure(config: pytest.Config) -> None:
    """No test reaches the developer's own workspace (data/cxchange.db or $CXCHANGE_DB): unless a test
    names one, it is a scratch file (also for an app run still finishing after its test restored the
    environment)."""
    os.environ["CXCHANGE_DB"] = str(Path(tempfile.mkdtemp(prefix="cxchange-tests-")) / "cxchange.db")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a migrated, empty workspace file."""
    path = tmp_path / "cxchange.db"
    store.open_db(path).close()
    return path


@pytest.fixture
def db(db_path: Path):
    """An empty, migrated workspace."""
    database = store.open_db(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation written once per session (read-only: copy it before writing), with the scheduled
    backup off, so a test's backups folder holds only the backups the test takes (test_backups turns it on)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = store.open_db(path)
    services.write_demo(database)
    services.save_settings(database, {"backup_every_days": 0})
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture
def demo_path(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace, free to write to."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    return path


def mark_own(path: Path) -> Path:
    """Mark the workspace at `path` as the customer's own, not the labelled demo: the demo organisation then
    stands in for a real one that survey results may be imported into (the demo itself refuses them)."""
    database = store.open_db(path)
    try:
        with store.write_transaction(database):
            store.settings.set_workspace_kind(database, "own")
    finally:
        database.close()
    return path


@pytest.fixture
def own_workspace(demo_path: Path) -> Path:
    """This test's copy of the demo (demo_path) marked as the customer's own workspace (see mark_own)."""
    return mark_own(demo_path)


@pytest.fixture
def own_db(own_workspace: Path):
    """The demo organisation as the customer's own workspace (own_workspace), open: results may go into it."""
    database = store.open_db(own_workspace)
    yield database
    database.close()


@pytest.fixture
def demo_db(demo_path: Path):
    """The demo organisation in a private file."""
    database = store.open_db(demo_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """`python -m cxchange ARGS` run in this process through cli.main: its exit code and what it printed.

    Starting a Python for every command cost 2.5-4 s of imports; test_cli.py keeps a few real processes.
    The output is caught with redirect_stdout rather than capsys so that module-scoped fixtures can run it too.
    """

    def run(*args: str) -> subprocess.CompletedProcess:
        out, err = StringIO(), StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli_main(list(args))
            except SystemExit as exit_:  # argparse refusing the arguments, as `python -m` would exit
                code = exit_.code
        return subprocess.CompletedProcess(["python", "-m", "cxchange", *args], code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def responses() -> pd.DataFrame:
    """Four respondents of two teams, small enough to score by hand (see test_scoring)."""
    rows = {
        # response 1, team 1: AW 4,5 -> 4.5; DE 2 -> 2; KN 3,4 -> 3.5; AB 4; RE 5
        1: {"AW1": 4, "AW2": 5, "DE1": 2, "KN1": 3, "KN2": 4, "AB1": 4, "RE1": 5, "OC1": 3},
        # response 2, team 1: AW 3; DE 4; KN 4; AB 2; RE 3
        2: {"AW1": 3, "DE1": 4, "KN1": 4, "AB1": 2, "RE1": 3, "OC1": 4},
        # response 3, team 2: AW 5; DE 5; KN 5; AB 4; RE 4 -> no barrier
        3: {"AW1": 5, "DE1": 5, "KN1": 5, "AB1": 4, "RE1": 4},
        # response 4, team 2: no Reinforcement answered -> incomplete
        4: {"AW1": 1, "DE1": 1, "KN1": 1, "AB1": 1},
    }
    return pd.DataFrame(
        [
            {"response_id": response_id, "item_code": code, "value": value}
            for response_id, answers in rows.items()
            for code, value in answers.items()
        ]
    )


# The browser tests' Chromium (Debian's), one per xdist worker, and a fresh context per test: here, so that
# every module that drives a browser shares the one session Chromium (two Playwright instances in one
# process fail).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a context of its own: no cookies, storage or downloads shared with another test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 2600})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def demo_server(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server per test worker on a copy of the demo, shared by the browser tests that only read (each in a
    browser context of its own): started once, its caches warm after the first page, instead of a server and a
    cold first page for each. A test that writes uses `server`, a copy of its own."""
    folder = tmp_path_factory.mktemp("demo-server")
    shutil.copyfile(demo_file, folder / "cxchange.db")
    with serving(folder / "cxchange.db", folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def app(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app through its router (AppTest) on a private copy of the demo workspace, caches cleared."""
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)


@pytest.fixture
def own_app(app: AppTest, own_workspace: Path) -> AppTest:
    """The app on the demo organisation marked as the customer's own workspace (files may be imported, pulses
    opened: the demo refuses real data)."""
    return app


@pytest.fixture(scope="module")
def demo_frame(demo_file: Path) -> pd.DataFrame:
    """The demo's readiness figures of its first initiative, as every page has them (services.readiness_by_team)."""
    database = store.open_db(demo_file)
    try:
        return services.readiness_by_team(database, store.settings.settings(database), 1)
    finally:
        database.close()
