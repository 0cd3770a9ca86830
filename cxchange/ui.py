"""The one Streamlit-aware module: the workspace per run, cached queries, shared widgets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from cxchange import charts, exports, readiness, sample_data, workshop
from cxchange import db as store


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


def _stamp(path: Path) -> tuple[int, ...]:
    """Changes whenever the file (or its WAL) is written, by this app or by the CLI.

    SQLite creates an empty WAL when a connection opens and removes it when the last one closes;
    an empty or missing WAL holds no change, so only a WAL with frames counts.
    """
    main = path.stat().st_mtime_ns if path.exists() else 0
    wal = Path(f"{path}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    return (main, size, wal.stat().st_mtime_ns if size else 0)


@st.cache_data(show_spinner=False, max_entries=64)
def _settings(path: str, stamp: tuple[float, ...]) -> dict[str, Any]:
    return store.settings(store.connect(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _team_stats(path: str, stamp: tuple[float, ...], initiative_id: int | None) -> pd.DataFrame:
    return readiness.team_stats(store.connect(path), initiative_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _readiness(path: str, stamp: tuple[float, ...], initiative_id: int | None, group: str) -> pd.DataFrame:
    db = store.connect(path)
    stats = _team_stats(path, stamp, initiative_id)
    return readiness.figures(stats, store.teams(db), store.waves(db, initiative_id), store.settings(db), group)


@st.cache_data(show_spinner=False, max_entries=64)
def _teams(path: str, stamp: tuple[float, ...]) -> pd.DataFrame:
    return store.teams(store.connect(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _answer_counts(path: str, stamp: tuple[float, ...], wave_id: int) -> pd.DataFrame:
    return store.answer_counts(store.connect(path), wave_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _barrier_counts(path: str, stamp: tuple[float, ...], wave_id: int, threshold: float) -> pd.DataFrame:
    return store.barrier_counts(store.connect(path), wave_id, threshold)


@st.cache_data(show_spinner=False, max_entries=64)
def _response_scores(path: str, stamp: tuple[float, ...], wave_id: int) -> pd.DataFrame:
    return store.response_scores(store.connect(path), wave_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _team_champions(path: str, stamp: tuple[float, ...], team_ids: tuple[int, ...]) -> pd.DataFrame:
    return store.team_champions(store.connect(path), team_ids)


@st.cache_data(show_spinner=False, max_entries=64)
def _open_actions(
    path: str, stamp: tuple[float, ...], team_ids: tuple[int, ...], initiative_id: int | None
) -> pd.DataFrame:
    return store.open_actions(store.connect(path), team_ids, initiative_id)


def team_champions(team_ids: Iterable[int]) -> pd.DataFrame:
    """db.team_champions (cached until the next write)."""
    path = db_path()
    return _team_champions(str(path), _stamp(path), tuple(sorted(team_ids)))


def open_actions(team_ids: Iterable[int], initiative_id: int | None) -> pd.DataFrame:
    """db.open_actions (cached until the next write)."""
    path = db_path()
    return _open_actions(str(path), _stamp(path), tuple(sorted(team_ids)), initiative_id)


@st.cache_data(show_spinner=False, max_entries=256)
def _computed(name: str, _function: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> Any:
    return _function(*args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=256)
def _computed_by_key(
    name: str, stamp: tuple[int, ...], cache_key: tuple, _function: Callable[..., Any], _args: tuple, _kwargs: dict
) -> Any:
    return _function(*_args, **_kwargs)


def computed(function: Callable[..., Any], *args: Any, cache_key: tuple | None = None, **kwargs: Any) -> Any:
    """A pure cxchange function's result, cached until the next write.

    Cached by its inputs (DataFrames, numbers, names), or, where hashing large inputs would cost
    more than it saves, by `cache_key`: the page's choices that determine every input.
    """
    if cache_key is None:
        return _computed(_name(function), function, args, kwargs)
    path = db_path()
    return _computed_by_key(_name(function), _stamp(path), cache_key, function, args, kwargs)


def _name(function: Callable[..., Any]) -> str:
    """A function's cache key: Streamlit hashes no functions, and names are stable across reruns."""
    return f"{function.__module__}.{function.__qualname__}"


def chart(
    make: Callable[..., Any],
    *args: Any,
    key: str | None = None,
    on_select: str = "ignore",
    selection_mode: list[str] | None = None,
    cache_key: tuple | None = None,
    projector: bool = False,
    **kwargs: Any,
) -> Any:
    """Draw a cxchange.charts chart across the page, its Vega-Lite spec cached until the next write.

    Building and validating an Altair chart takes longer than the rest of a rerun; the spec of
    the same inputs is the same, so a warm rerun skips it. `cache_key` as for `computed`. With
    `projector`, text and marks are enlarged for a shared screen (workshop.for_projector).
    """
    name = f"{_name(make)} spec" + (" for the projector" if projector else "")

    def build(*inputs: Any, **options: Any) -> dict[str, Any]:
        # Rows inline: Streamlit turns named datasets into Arrow on every run, which costs more than JSON.
        spec = exports.chart_spec(make(*inputs, **options))
        return workshop.for_projector(spec) if projector else spec

    if cache_key is None:
        spec = _computed(name, build, args, kwargs)
    else:
        spec = _computed_by_key(name, _stamp(db_path()), cache_key, build, args, kwargs)
    drawn = st.vega_lite_chart(spec=spec, width="stretch", key=key, on_select=on_select, selection_mode=selection_mode)
    if not projector:
        _chart_downloads(spec, name, key)
    return drawn


def table(data: Any, name: str, **options: Any) -> Any:
    """st.dataframe of a table people may take away, with its CSV and XLSX (formula-like cells neutralised).

    The files hold exactly the rows and columns shown, so whatever the view hides stays hidden.
    """
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    drawn = st.dataframe(frame, **options)
    table_downloads(frame, name)
    return drawn


def table_downloads(frame: pd.DataFrame, name: str) -> None:
    """The CSV and XLSX of a table as shown (for an editing grid: as stored, before unsaved edits)."""
    stem = exports.slug(name)
    with st.popover("Download table", icon=":material/download:", key=f"{stem}-table-files"):
        st.download_button(
            "CSV", data=lambda: exports.table_csv(frame), file_name=f"{stem}.csv", mime="text/csv", key=f"{stem}-csv"
        )
        st.download_button(
            "Excel (XLSX)",
            data=lambda: exports.table_xlsx(frame, sheet=name[:31]),
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{stem}-xlsx",
        )


def _chart_downloads(spec: dict[str, Any], name: str, key: str | None) -> None:
    """PNG and SVG of the chart as shown, drawn by vl-convert only when the user asks for one."""
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    stem = exports.slug(text if isinstance(text, str) and text else name.rsplit(".", 1)[-1].split()[0])
    widget = f"{key or stem}-{abs(hash((name, stem))) % 10**8}"
    with st.popover("Download chart", icon=":material/download:", key=f"{widget}-files"):
        st.download_button(
            "PNG image",
            data=lambda: exports.chart_png(spec),
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"{widget}-png",
        )
        st.download_button(
            "SVG drawing",
            data=lambda: exports.chart_svg(spec).encode(),
            file_name=f"{stem}.svg",
            mime="image/svg+xml",
            key=f"{widget}-svg",
        )


PROJECTOR_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1.2rem 2.5rem; }
[data-testid="stMain"] { color: #000; background: #fff; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li, label p,
[data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stAlert"] p,
.stButton button p, [data-testid="stFormSubmitButton"] button p, input, textarea { font-size: 26px !important; }
[data-testid="stMarkdownContainer"] h1 { font-size: 56px !important; padding: 0.2rem 0 0.6rem; }
.cx-big { font-size: 140px; font-weight: 700; line-height: 1.05; color: #000; }
.cx-mid { font-size: 48px; font-weight: 600; line-height: 1.2; color: #111; margin-bottom: 0.6rem; }
.cx-where { font-size: 26px; text-align: center; color: #222; }
</style>
"""
"""Workshop presentation: no sidebar or toolbar, body text 26 px, headlines 48 px and more, black on white."""


def team_chart(make: Callable[..., Any], *args: Any, key: str, cache_key: tuple | None = None, **kwargs: Any) -> None:
    """Draw a chart of teams (see `chart`) whose marks open the clicked team in Team detail."""
    event = chart(
        make, *args, key=key, on_select="rerun", selection_mode=[charts.TEAM_SELECTION], cache_key=cache_key, **kwargs
    )
    clicked = event.selection.get(charts.TEAM_SELECTION) if event else None
    if clicked and clicked[0].get("team_name") in set(teams()["name"]):  # "All teams" has no detail page
        st.switch_page("app_pages/team_detail.py", query_params={"team": clicked[0]["team_name"]})


def teams() -> pd.DataFrame:
    """The team hierarchy (cached until the next write)."""
    path = db_path()
    return _teams(str(path), _stamp(path))


def answer_counts(wave_id: int) -> pd.DataFrame:
    """db.answer_counts of a wave (cached until the next write)."""
    path = db_path()
    return _answer_counts(str(path), _stamp(path), wave_id)


def barrier_counts(wave_id: int) -> pd.DataFrame:
    """db.barrier_counts of a wave at the workspace's threshold (cached until the next write)."""
    path = db_path()
    return _barrier_counts(str(path), _stamp(path), wave_id, float(settings()["barrier_threshold"]))


def response_scores(wave_id: int) -> pd.DataFrame:
    """Respondent-level scores of a wave (cached until the next write)."""
    path = db_path()
    return _response_scores(str(path), _stamp(path), wave_id)


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


def readiness_frame(initiative_id: int | None, group: str = "all") -> pd.DataFrame:
    """readiness.readiness_by_team for the workspace (cached until the next write)."""
    path = db_path()
    return _readiness(str(path), _stamp(path), initiative_id, group)


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


def wave_range_picker(initiative_id: int | None, key: str = "waves") -> list[int]:
    """Slider over the initiative's waves, oldest to latest; returns the chosen waves' ids in order.

    The last chosen wave is the one snapshots show; all of them are drawn in trends.
    """
    options = waves(initiative_id)
    if options.empty:
        return []
    names = options["name"].tolist()
    ids = dict(zip(names, options["id"], strict=True))
    if len(names) == 1:
        st.caption(f"Wave: {names[0]} (the only one so far)")
        return [int(ids[names[0]])]
    first, last = st.select_slider("Waves", names, value=(names[0], names[-1]), key=key)
    chosen = names[names.index(first) : names.index(last) + 1]
    return [int(ids[name]) for name in chosen]


def team_picker(label: str = "Team", key: str = "team", include_organisation: bool = True) -> int:
    """Select box of teams in hierarchy order, indented; returns the chosen team id (0: all teams)."""
    tree = readiness.team_tree(teams())
    if not include_organisation:
        tree = tree[tree["team_id"] != 0]
    names = dict(zip(tree["team_id"], tree["team"], strict=True))
    depth = dict(zip(tree["team_id"], tree["depth"], strict=True))
    return int(
        st.selectbox(
            label,
            list(names),
            format_func=lambda team: "\u2003" * max(depth[team] - 1, 0) + names[team],
            key=key,
        )
    )


def group_picker(key: str = "group") -> str:
    """Which respondents a view counts: all, champions, or everyone but champions."""
    return st.radio(
        "Respondents",
        list(readiness.GROUPS),
        format_func=readiness.GROUPS.get,
        horizontal=True,
        key=key,
        help="Each group's figures are suppressed on their own and together, so no filter reveals a small group.",
    )


def wave_picker(initiative_id: int | None, key: str = "wave") -> int | None:
    """Select box of the initiative's waves by name, latest first; returns the chosen wave id."""
    options = waves(initiative_id)
    if options.empty:
        return None
    ids = dict(zip(options["name"][::-1], options["id"][::-1], strict=True))
    chosen = st.selectbox("Wave", list(ids), key=key)
    return int(ids[chosen])


# CX outcomes


@st.cache_data(show_spinner=False, max_entries=64)
def _cx_outcomes(path: str, stamp: tuple[float, ...]) -> pd.DataFrame:
    return store.cx_outcomes(store.connect(path))


def cx_outcomes() -> pd.DataFrame:
    """Every CX outcome figure of the workspace: team_id, team, period, metric, value (cached until the next write)."""
    path = db_path()
    return _cx_outcomes(str(path), _stamp(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _outcome_team_ids(path: str, stamp: tuple[float, ...]) -> dict[str, int]:
    teams = store.teams(store.connect(path))
    return {str(name): int(team_id) for name, team_id in zip(teams["name"], teams["id"], strict=True)}


def outcome_team_ids() -> dict[str, int]:
    """Team name -> id for every team of the workspace, for the outcome checks (cached until the next write)."""
    path = db_path()
    return _outcome_team_ids(str(path), _stamp(path))


# Kotter board


@st.cache_data(show_spinner=False, max_entries=64)
def _kotter_steps(path: str, stamp: tuple[float, ...], initiative_id: int) -> pd.DataFrame:
    return store.kotter_steps(store.connect(path), initiative_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _kotter_history(path: str, stamp: tuple[float, ...], initiative_id: int) -> pd.DataFrame:
    return store.kotter_history(store.connect(path), initiative_id)


def kotter_steps(initiative_id: int) -> pd.DataFrame:
    """db.kotter_steps of an initiative (cached until the next write)."""
    path = db_path()
    return _kotter_steps(str(path), _stamp(path), initiative_id)


def kotter_history(initiative_id: int) -> pd.DataFrame:
    """db.kotter_history of an initiative (cached until the next write)."""
    path = db_path()
    return _kotter_history(str(path), _stamp(path), initiative_id)


# Actions log


@st.cache_data(show_spinner=False, max_entries=64)
def _initiative_actions(path: str, stamp: tuple[float, ...], initiative_id: int | None) -> pd.DataFrame:
    return store.initiative_actions(store.connect(path), initiative_id)


def initiative_actions(initiative_id: int | None) -> pd.DataFrame:
    """db.initiative_actions of an initiative (cached until the next write)."""
    path = db_path()
    return _initiative_actions(str(path), _stamp(path), initiative_id)


# Champion network


@st.cache_data(show_spinner=False, max_entries=64)
def _champion_roster(path: str, stamp: tuple[float, ...]) -> pd.DataFrame:
    return store.champion_roster(store.connect(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _champion_activity_log(path: str, stamp: tuple[float, ...]) -> pd.DataFrame:
    return store.champion_activity_log(store.connect(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _champion_batches(path: str, stamp: tuple[float, ...]) -> pd.DataFrame:
    return store.champion_batches(store.connect(path))


def champion_roster() -> pd.DataFrame:
    """db.champion_roster: every champion with their team (cached until the next write)."""
    path = db_path()
    return _champion_roster(str(path), _stamp(path))


def champion_activity_log() -> pd.DataFrame:
    """db.champion_activity_log: every logged session, newest first (cached until the next write)."""
    path = db_path()
    return _champion_activity_log(str(path), _stamp(path))


def champion_batches() -> pd.DataFrame:
    """db.champion_batches: roster imports with what they still hold (cached until the next write)."""
    path = db_path()
    return _champion_batches(str(path), _stamp(path))


# Programme health

from cxchange import health  # noqa: E402 - a feature's block keeps its imports with it (this file is appended to)


@st.cache_data(show_spinner=False, max_entries=64)
def _health_inputs(path: str, stamp: tuple[float, ...], initiative_id: int) -> dict[str, Any]:
    return store.health_inputs(store.connect(path), initiative_id)


def health_data(initiative_id: int) -> health.HealthData:
    """What the programme-health checks read about an initiative, with the workspace's settings (stale weeks
    and the health thresholds; the queries cached until the next write)."""
    path = db_path()
    inputs = _health_inputs(str(path), _stamp(path), initiative_id)
    workspace = settings()
    return health.HealthData.from_frames(inputs, workspace["stale_weeks"], workspace)


# Reports & export ---


@st.cache_data(show_spinner=False, max_entries=16)
def _report_document(
    path: str, stamp: tuple[float, ...], initiative_id: int, wave_id: int, team_id: int, group: str
) -> exports.Report:
    return exports.readiness_report_document(store.connect(path), initiative_id, wave_id, team_id, group)


def report_document(initiative_id: int, wave_id: int, team_id: int = 0, group: str = "all") -> exports.Report:
    """exports.readiness_report_document for the workspace (cached until the next write)."""
    path = db_path()
    return _report_document(str(path), _stamp(path), initiative_id, wave_id, team_id, group)


@st.cache_data(show_spinner=False, max_entries=16)
def _export_file(path: str, stamp: tuple[float, ...], choices: tuple, part: int | None, kind: str) -> bytes:
    report = _report_document(path, stamp, *choices)
    if part is None:
        return exports.report_bytes(report, kind)
    section = report.sections[part]
    if kind == "png":
        return exports.chart_png(section.chart)
    if kind == "svg":
        return exports.chart_svg(section.chart).encode("utf-8")
    if kind == "csv":
        return exports.table_csv(section.table, section.hidden or None)
    return exports.table_xlsx(section.table, section.title, section.hidden or None)


def export_file(report: exports.Report, kind: str, part: int | None = None) -> Callable[[], bytes]:
    """The file of a report (`part` None: html, pdf, pptx) or of one of its sections (png, svg, csv, xlsx),
    as a callable for st.download_button: made when the user clicks, then cached until the next write."""
    path = db_path()
    stamp = _stamp(path)
    choices = tuple(report.choices[name] for name in ("initiative_id", "wave_id", "team_id", "group"))
    return lambda: _export_file(str(path), stamp, choices, part, kind)
