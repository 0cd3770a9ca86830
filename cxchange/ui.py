"""The one Streamlit-aware module: the workspace per run, cached queries, shared widgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from cxchange import db as store
from cxchange import readiness, sample_data


def db_path() -> Path:
    """The workspace file this app serves."""
    return store.default_path()


def open_workspace() -> Database:
    """A connection for this run; a missing file is created with the demo organisation.

    A connection per run is cheap and safe across Streamlit's threads; the DataFrames are cached.
    """
    path = db_path()
    is_new = not path.exists()
    db = store.open_db(path)
    if is_new:
        sample_data.write_demo(db)
    return db


def _stamp(path: Path) -> tuple[float, ...]:
    """Changes whenever the file (or its WAL) is written, by this app or by the CLI."""
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (path, Path(f"{path}-wal")))


@st.cache_data(show_spinner=False, max_entries=64)
def _settings(path: str, stamp: tuple[float, ...]) -> dict[str, Any]:
    return store.settings(store.connect(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _readiness(path: str, stamp: tuple[float, ...], initiative_id: int | None) -> pd.DataFrame:
    db = store.connect(path)
    return readiness.readiness_by_team(db, store.settings(db), initiative_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _waves(path: str, stamp: tuple[float, ...], initiative_id: int | None) -> pd.DataFrame:
    return store.waves(store.connect(path), initiative_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _initiatives(path: str, stamp: tuple[float, ...]) -> pd.DataFrame:
    return store.initiatives(store.connect(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _comments(path: str, stamp: tuple[float, ...], wave_id: int, team_id: int) -> tuple[list[str], str]:
    db = store.connect(path)
    return readiness.team_comments(db, store.settings(db), wave_id, team_id)


def comments(wave_id: int, team_id: int) -> tuple[list[str], str]:
    """readiness.team_comments for the workspace (cached until the next write)."""
    path = db_path()
    return _comments(str(path), _stamp(path), wave_id, team_id)


def settings() -> dict[str, Any]:
    """The workspace's settings (cached until the next write)."""
    path = db_path()
    return _settings(str(path), _stamp(path))


def readiness_frame(initiative_id: int | None) -> pd.DataFrame:
    """readiness.readiness_by_team for the workspace (cached until the next write)."""
    path = db_path()
    return _readiness(str(path), _stamp(path), initiative_id)


def waves(initiative_id: int | None) -> pd.DataFrame:
    """The initiative's waves, oldest first (cached until the next write)."""
    path = db_path()
    return _waves(str(path), _stamp(path), initiative_id)


def initiatives() -> pd.DataFrame:
    """Every initiative (cached until the next write)."""
    path = db_path()
    return _initiatives(str(path), _stamp(path))


def after_write() -> None:
    """Forget every cached query; call after any write."""
    st.cache_data.clear()


def demo_banner(db: Database) -> None:
    """The label every page carries while the demo organisation is loaded."""
    if store.workspace_kind(db) == "demo":
        st.info(
            f"**Demo data** — {sample_data.DEMO_NAME} is a made-up organisation. "
            "Start a workspace of your own under Settings → Workspace.",
            icon=":material/science:",
        )


def initiative_picker(key: str = "initiative") -> int | None:
    """Select box of initiatives by name; returns the chosen id (the first one with waves preselected)."""
    options = initiatives()
    if options.empty:
        return None
    with_waves = waves(None)
    default = int(with_waves["initiative_id"].min()) if not with_waves.empty else int(options["id"].iloc[0])
    ids = dict(zip(options["name"], options["id"], strict=True))
    names = list(ids)
    chosen = st.selectbox("Initiative", names, index=list(ids.values()).index(default), key=key)
    return int(ids[chosen])


def wave_picker(initiative_id: int | None, key: str = "wave") -> int | None:
    """Select box of the initiative's waves by name, latest first; returns the chosen wave id."""
    options = waves(initiative_id)
    if options.empty:
        return None
    ids = dict(zip(options["name"][::-1], options["id"][::-1], strict=True))
    chosen = st.selectbox("Wave", list(ids), key=key)
    return int(ids[chosen])
