"""The one Streamlit-aware module: the workspace per run, cached queries, shared widgets."""

from __future__ import annotations

import getpass
import hashlib
import inspect
import logging
import os
import pickle
import secrets
import sqlite3
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from cxchange import (
    access,
    charts,
    exports,
    health,
    hierarchy,
    network,
    pulses,
    readiness,
    sample_data,
    services,
    store,
    workshop,
)
from cxchange.access import Actor
from cxchange.importing import ImportRejected
from cxchange.text import html_text, markdown_text, message_markdown


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
        services.write_demo(db)
    elif time.monotonic() - _SCHEDULE_CHECKED.get(str(path), -3600.0) >= 3600:
        _SCHEDULE_CHECKED[str(path)] = time.monotonic()  # at most hourly per file, not on every rerun
        services.scheduled_backup(db)
    return db


_SCHEDULE_CHECKED: dict[str, float] = {}
"""When this server process last looked whether a scheduled backup of a file was due."""


def open_workspace_or_explain() -> None:
    """Open (or create) the workspace for this run. Where the file cannot be opened, say why in one sentence
    naming it, offer a damaged file's backups (the only page that can be reached then), and stop the run."""
    try:
        open_workspace().close()
    except (sqlite3.Error, OSError) as error:
        sentence = store.failure_text(error, db_path())
        if sentence is None:
            raise
        st.title("The workspace cannot be opened")
        st.error(sentence, icon=":material/error:")
        if store.is_damaged(error) and (me := actor()) is not None and me.may("admin"):
            _recovery()
        elif store.is_damaged(error):
            st.write("Ask your cxchange admin: they can restore the last good backup from here.")
        st.stop()
    say_kept("recovery_message")


def _recovery() -> None:
    """The way back from a damaged file: restore one of its backups, or set it aside and start again."""
    path = db_path()
    found = store.backups(path)
    if found:
        chosen = st.selectbox("Backup", found, format_func=_backup_label, key="recovery_backup")
        if st.button("Restore this backup", type="primary"):
            try:
                services.recover_workspace(path, chosen)
            except ValueError as problem:
                say("error", problem)
            else:
                keep("recovery_message", f"Restored {chosen.name} in place of the damaged file.")
                st.rerun()
    else:
        st.write(f"There is no backup of it in {path.parent / 'backups'}.")
    if st.button("Set the damaged file aside and start again"):
        aside = services.set_aside_workspace(path)
        keep("recovery_message", f"The damaged file is kept as {aside}; this is a new workspace.")
        st.rerun()


def _backup_label(path: Path) -> str:
    """A backup as a picker names it: file name, size and when it was written."""
    found = path.stat()
    return (
        f"{path.name} · {found.st_size / 1e6:,.1f} MB · written {datetime.fromtimestamp(found.st_mtime):%d %b %Y %H:%M}"
    )


@contextmanager
def database_errors() -> Iterator[None]:
    """Run a page; where the workspace file fails it (locked by an import, read-only, disk full, damaged),
    say so in one sentence at the top of the page instead of a traceback. Any other error gets a reference,
    logged with its details, and is raised on (tests and Streamlit's log see it)."""
    notice = st.empty()
    try:
        yield
    except sqlite3.Error as error:
        sentence = store.failure_text(error, db_path())
        if sentence is None:
            _reference(notice, error)
            raise
        notice.error(sentence, icon=":material/error:")
    except Exception as error:
        _reference(notice, error)
        raise  # Streamlit's own panel follows, without details (client.showErrorDetails = "none")


def _reference(notice: Any, error: BaseException) -> None:
    """Say that something went wrong with a reference the admin finds in the server's log beside the details."""
    reference = secrets.token_hex(3).upper()
    LOG.error("cxchange error %s: %s", reference, type(error).__name__, exc_info=error)
    notice.error(
        f"Something went wrong on this page (reference {reference}). Your cxchange admin finds what happened in "
        "the server's log under that reference.",
        icon=":material/error:",
    )


LOG = logging.getLogger("cxchange")


# Messages: what a save, an import or a refusal says. Their words quote what people typed and files named
# (titles, team names, file names, owners), so every message goes to Streamlit's markdown escaped.


def say(kind: str, text: object, lines: Iterable[object] = (), *, icon: str | None = None, where: Any = None) -> None:
    """Show a message: `kind` is success, info, warning, error or toast; `text` and the list of `lines` under
    it are plain text (text.message_markdown), so nothing in them becomes a link, HTML or formatting. `where`:
    the placeholder or column it goes in (None: the page)."""
    show = getattr(st if where is None else where, kind)
    if icon is None:
        show(message_markdown(text, lines))
    else:
        show(message_markdown(text, lines), icon=icon)


def keep(key: str, text: object, lines: Iterable[object] = (), kind: str = "success") -> None:
    """Keep a message for the page's next run (after st.rerun, or from a widget's callback): say_kept shows it."""
    st.session_state[key] = (kind, str(text), tuple(str(line) for line in lines))


def say_kept(key: str, where: Any = None) -> None:
    """Show, once, the message kept under `key` (see keep), if there is one."""
    if (kept := st.session_state.pop(key, None)) is not None:
        kind, text, lines = kept
        say(kind, text, lines, where=where)


def call(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a services use case on the workspace, on a connection of its own that is closed after, as the
    person using the app (every write checks their role and records them in the audit trail)."""
    if "actor" not in inspect.signature(use_case).parameters:
        raise TypeError(f"{_name(use_case)} is not a services use case that checks who asks; pages write through one.")
    me = actor()
    if me is None:
        raise access.Refused("Sign in first.")
    kwargs["actor"] = me
    with closing(store.open_db(db_path())) as db:
        return use_case(db, *args, **kwargs)


# Who is using the app ------------------------------------------------------------------------


def sign_in_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an [auth] section: then everyone signs in (st.login)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def actor() -> Actor | None:
    """Who is acting: without sign-in, the person at this computer (admin); with it, the signed-in person's
    role and scope from Settings → People (or $CXCHANGE_ADMINS), None where they are not signed in or have
    no role."""
    if not sign_in_configured():
        return access.local(getpass.getuser())
    if not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    if not email:
        return None
    admins = access.admins_from(os.environ.get("CXCHANGE_ADMINS"))
    try:  # read once per change of the file, not on each of the several asks of a rerun
        return read(services.signed_in_actor, email, tuple(admins))
    except (sqlite3.Error, OSError):  # the file cannot be read: only the admins named outside it get in
        return access.signed_in(email, pd.DataFrame(columns=["email", "role", "team_id"]), admins, [])


def pulse_only() -> None:
    """An app address that carries a pulse token (?pulse=...) shows the way to that pulse's form and nothing
    else, whichever page it names: a phone that lands on the app with its link sees no figure, no sidebar."""
    token = st.query_params.get("pulse")
    if token is None:
        return
    st.title("Live pulse")
    st.write("This link is for the live pulse's form: a few statements to answer on your phone, anonymously.")
    st.link_button("Open the form", f"/pulse/{quote(str(token)[:100], safe='')}", type="primary")
    st.stop()


def pulse_base_url() -> str:
    """Where phones reach the pulse form: $CXCHANGE_PULSE_URL where set (the `pulse serve` endpoint or a team
    deployment's address), else the origin this browser opened the app at."""
    if configured := os.environ.get("CXCHANGE_PULSE_URL", "").strip():
        return configured.rstrip("/")
    opened = urlsplit(st.context.url or "")
    if opened.scheme in ("http", "https") and opened.netloc:
        return f"{opened.scheme}://{opened.netloc}"
    return f"http://{st.get_option('server.address') or 'localhost'}:{st.get_option('server.port')}"


def pulse_link(token: str, team_id: int | None = None) -> str:
    """The address of a pulse's form (for one team where `team_id` is given), as phones reach it."""
    return pulses.link(pulse_base_url(), token, team_id)


def phones_cannot_reach() -> bool:
    """Whether the links shown lead nowhere for a phone: the app answers this computer only (127.0.0.1) and
    no other address for the form is configured."""
    return network.is_loopback(st.get_option("server.address")) and not os.environ.get("CXCHANGE_PULSE_URL")


def pulse_list(wave_id: int) -> pd.DataFrame:
    """services.pulse_list of a wave for the person (read afresh: a pulse's state moves with the clock)."""
    return call(services.pulse_list, wave_id)


def pulses_held_notice(initiative_id: int | None) -> None:
    """A note for each open pulse (of the person's teams) whose answers the wave's views leave out until it
    closes (services.pulses_held)."""
    cut = scope()
    inside = None if cut is None else {str(name) for name in teams()["name"]}
    for held in read(services.pulses_held, initiative_id):
        if inside is None or set(held["teams"]) & inside:
            st.info(held["text"], icon=":material/schedule:")


def pulse_counts(pulse_id: int) -> dict[int, int]:
    """services.pulse_answer_counts, cached until the workspace file changes (an answer writes it)."""
    return read(services.pulse_answer_counts, pulse_id)


def front_door() -> Actor:
    """Before any page: the sign-in screen, or "ask your admin" for someone without a role; stops the run
    there. Returns who is acting (the local admin where sign-in is not configured)."""
    if sign_in_configured() and not st.user.is_logged_in:
        st.title("cxchange")
        st.write("Change readiness by team. Sign in with your organisation's account to continue.")
        st.button("Sign in", type="primary", on_click=st.login, icon=":material/login:")
        st.stop()
    me = actor()
    if me is None:
        st.title("cxchange")
        say(
            "warning",
            f"You are signed in as {st.user.get('email') or 'someone without an e-mail address'}, "
            "but you have no access to cxchange yet. Ask your cxchange admin for access.",
            icon=":material/lock:",
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return me


PAGE_ROLES: dict[str, str] = {"app_pages/import_entry.py": "editor", "app_pages/settings.py": "admin"}
"""Pages a role below the one named here does not see (every other page: viewers and up)."""
WHOLE_ORGANISATION_PAGES = frozenset({"app_pages/programme_health.py", "app_pages/settings.py"})
"""Pages about the whole programme (its health across teams, its settings): not for someone who looks after
some teams only. Import & entry is theirs too: every import checks each row's team against their scope."""


def may_open(me: Actor, page: str) -> bool:
    """Whether `me` sees `page` in the navigation (a deep link to a page left out lands on the Overview)."""
    return me.may(PAGE_ROLES.get(page, "viewer")) and (me.team_id is None or page not in WHOLE_ORGANISATION_PAGES)


def may_edit(programme: bool = False) -> bool:
    """Whether the person using the app may change what a page shows (editor or admin; for their teams only
    where they look after some). `programme`: a programme-wide thing (the Kotter board, settings), which needs
    the role for the whole organisation. Pages show read-only tables and no save buttons otherwise; the
    services check again whatever the page shows."""
    me = actor()
    return me is not None and me.may("editor") and (not programme or me.team_id is None)


def who_box(me: Actor) -> None:
    """The sidebar's lines on who is using the app and who else can open it (network.reach_text)."""
    address = st.get_option("server.address")
    with st.sidebar:
        if sign_in_configured():
            scope = "the whole organisation" if me.team_id is None else _team_name(me.team_id)
            st.caption(markdown_text(f"Signed in as {me.name}: {me.role} for {scope}."))
            st.button("Sign out", on_click=st.logout, key="sign_out")
        else:
            icon = ":material/lock:" if network.is_loopback(address) else ":material/lan:"
            without = "" if network.is_loopback(address) else ", and without sign-in each of them acts as admin"
            st.caption(f"{icon} {network.reach_text(address)}{without}.")


def _team_name(team_id: int) -> str:
    names = dict(zip(teams()["id"], teams()["name"], strict=True))
    return f"{names.get(team_id, f'team {team_id}')} and the teams below it"


def _stamp(path: Path) -> tuple[int, ...]:
    """Changes whenever the file (or its WAL) is written, by this app or by the CLI.

    SQLite creates an empty WAL when a connection opens and removes it when the last one closes;
    an empty or missing WAL holds no change, so only a WAL with frames counts.
    """
    main = path.stat().st_mtime_ns if path.exists() else 0
    wal = Path(f"{path}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    return (main, size, wal.stat().st_mtime_ns if size else 0)


_DEADLINES: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
"""Per workspace file: its stamp and the closing times of the pulses open at that stamp."""


def _version(path: Path) -> tuple[Any, ...]:
    """What a read of the workspace depends on: the file's stamp, and how many of its open pulses have run
    out since (a pulse closing by time writes nothing, yet its answers then join the wave's views)."""
    stamp = _stamp(path)
    known = _DEADLINES.get(str(path))
    if known is None or known[0] != stamp:
        deadlines: tuple[str, ...] = ()
        if path.exists():  # a read never makes the file
            with closing(store.connect(path)) as db:
                deadlines = store.pulses.open_deadlines(db)
        known = _DEADLINES[str(path)] = (stamp, deadlines)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return (*stamp, sum(closes <= now for closes in known[1]))


# Caching. Every result is cached under a key made of all its inputs: the workspace file and its
# stamp for a read, and for a computation each argument's own key. A DataFrame that came out of this
# cache is keyed by where it came from (cheap); anything else by its content. A write changes the
# file's stamp, so nothing needs clearing.

_ORIGINS: dict[int, tuple] = {}
"""id() of each object this cache handed out -> the key it was made under (while the object lives)."""


def _remember(value: Any, key: tuple) -> Any:
    """Note where `value` came from, so passing it on keys a computation by its origin, not its content."""
    try:
        weakref.finalize(value, _ORIGINS.pop, id(value), None)
    except TypeError:  # plain values (dicts, tuples) take no weak reference; they key by content
        return value
    _ORIGINS[id(value)] = key
    return value


def _key(value: Any) -> Any:
    """A hashable key that changes whenever `value` would give another result."""
    if id(value) in _ORIGINS:
        return ("from", _ORIGINS[id(value)])
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        content = pd.util.hash_pandas_object(frame, index=True).to_numpy()
        key = (
            "frame",
            tuple(map(str, frame.columns)),
            tuple(map(str, frame.dtypes)),
            hashlib.sha1(content).hexdigest(),
        )
        # Pages never change a frame in place, so a frame passed to several charts is hashed once.
        _remember(value, key)
        return ("from", key)
    if isinstance(value, dict):
        return ("dict", tuple((_key(k), _key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        if all(type(item) in _PLAIN for item in items):  # ids and names: their repr is their key
            return (type(value).__name__, repr(items))
        return (type(value).__name__, tuple(_key(item) for item in items))
    if isinstance(value, bytes):  # an uploaded file: its digest, not a copy of it in every key
        return ("sha256", hashlib.sha256(value).hexdigest())
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return ("pickled", hashlib.sha1(pickle.dumps(value)).hexdigest())


_PLAIN = {str, int, float, bool, type(None)}


def _name(function: Callable[..., Any]) -> str:
    """A function's part of a key: Streamlit hashes no functions, and names are stable across reruns."""
    return f"{function.__module__}.{function.__qualname__}"


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_by_digest(digest: str, _make: Callable[[], Any]) -> Any:
    return _make()


def _cached(key: tuple, make: Callable[[], Any]) -> Any:
    """`make()`, cached under `key`; Streamlit hashes one digest of it, not the nested tuple item by item."""
    return _cached_by_digest(hashlib.sha1(repr(key).encode()).hexdigest(), make)


def read(reader: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`reader(db, *args, **kwargs)` (a store read or a services read) on the workspace, cached until the
    file changes. The connection is opened on a miss and closed after it."""
    path = db_path()
    key = ("read", _name(reader), str(path), _version(path), _key(args), _key(kwargs))

    def make() -> Any:
        with closing(store.connect(path)) as db:
            return reader(db, *args, **kwargs)

    return _remember(_cached(key, make), key)


def dry_run(importer: Callable[..., Any], data: bytes, *args: Any) -> Any:
    """`importer(db, data, *args, dry_run=True)` (a services import): what importing an uploaded file would
    do, worked out once per file content, arguments and workspace stamp, not on every rerun.

    A refusal (ImportRejected) is kept like a result and raised again, so a file that cannot be
    imported is not read again either. Each read (a miss) is noted in `parse_log`.
    """
    found = read(_result_or_refusal, importer, data, *args)
    if isinstance(found, ImportRejected):
        raise found
    return found


parse_log: deque[str] = deque(maxlen=256)
"""The file name of each upload a dry run read (the cache had no answer for it), newest last: what the cache
spares is the reads that are not here. Bounded, so a server that runs for months keeps only the latest."""


def _result_or_refusal(db: Database, importer: Callable[..., Any], data: bytes, *args: Any) -> Any:
    parse_log.append(str(args[0]) if args else "")
    try:
        return importer(db, data, *args, dry_run=True)
    except ImportRejected as refusal:
        return refusal


def computed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A pure cxchange function's result, cached by its inputs (see _key)."""
    key = ("computed", _name(function), _key(args), _key(kwargs))
    return _remember(_cached(key, lambda: function(*args, **kwargs)), key)


def settings() -> dict[str, Any]:
    """The workspace's settings."""
    return read(store.settings.settings)


def scope() -> int | None:
    """The team whose subtree the person using the app looks after; None: the whole organisation."""
    me = actor()
    return None if me is None else me.team_id


def all_teams() -> pd.DataFrame:
    """Every team of the workspace, whoever looks: for working figures out before they are cut to a scope."""
    return read(store.org.teams)


def teams() -> pd.DataFrame:
    """The team hierarchy the person sees (their scope's, its team at the top), archived teams too (views of
    past waves show the teams that had responses then)."""
    return access.scoped_teams(all_teams(), scope())


def active_teams() -> pd.DataFrame:
    """The teams of today the person sees: archived (and merged-away) teams left out, for pickers and views."""
    return access.scoped_teams(read(store.org.teams, archived=False), scope())


def _inside(team_ids: Iterable[int]) -> set[int]:
    """The given teams that the person looks after."""
    cut = scope()
    return set(team_ids) if cut is None else set(team_ids) & access.scope_ids(all_teams(), cut)


def _scoped(frame: pd.DataFrame, column: str = "team_id") -> pd.DataFrame:
    return access.scoped_rows(frame, all_teams(), scope(), column)


def initiatives() -> pd.DataFrame:
    """Every initiative."""
    return read(store.org.initiatives)


def waves(initiative_id: int | None) -> pd.DataFrame:
    """The initiative's waves, oldest first."""
    return read(store.org.waves, initiative_id)


def readiness_frame(initiative_id: int | None, group: str = "all") -> pd.DataFrame:
    """services.readiness_by_team for the workspace; the stats behind it are shared by every group.

    Every input comes from the workspace file, so its stamp and the arguments are the whole key; the
    stats are fetched (from their own cache) only when the figures are not cached yet.
    """
    path = db_path()
    cut = scope()
    key = ("readiness_frame", str(path), _version(path), initiative_id, group, cut)

    def make() -> pd.DataFrame:
        stats = read(services.team_stats, initiative_id)
        # the whole organisation's figures, suppressed as one, then cut to what this person looks after
        everyone = readiness.figures(stats, all_teams(), waves(initiative_id), settings(), group)
        return access.scoped_figures(everyone, all_teams(), cut)

    return _remember(_cached(key, make), key)


def answer_counts(wave_id: int) -> pd.DataFrame:
    """store.responses.answer_counts of a wave (the person's teams)."""
    return _scoped(read(store.responses.answer_counts, wave_id))


def barrier_counts(wave_id: int) -> pd.DataFrame:
    """store.responses.barrier_counts of a wave at the workspace's threshold."""
    return _scoped(read(store.responses.barrier_counts, wave_id, float(settings()["barrier_threshold"])))


def response_scores(wave_id: int) -> pd.DataFrame:
    """Respondent-level scores of a wave."""
    return _scoped(read(store.responses.response_scores, wave_id))


def comments(wave_id: int, team_id: int) -> tuple[list[str], str]:
    """services.team_comments for the workspace (none for a team outside the person's teams)."""
    cut = scope()
    if cut is not None and team_id not in (access.scope_ids(all_teams(), cut) or ()):
        return [], "Comments are shown for the teams you look after only."
    return read(services.team_comments, settings(), wave_id, team_id)


def team_champions(team_ids: Iterable[int]) -> pd.DataFrame:
    """store.champions.team_champions of the given teams."""
    return read(store.champions.team_champions, tuple(sorted(_inside(team_ids))))


def open_actions(team_ids: Iterable[int], initiative_id: int | None) -> pd.DataFrame:
    """store.actions.open_actions of the given teams."""
    return read(store.actions.open_actions, tuple(sorted(_inside(team_ids))), initiative_id)


def chart(
    make: Callable[..., Any],
    *args: Any,
    key: str | None = None,
    on_select: str = "ignore",
    selection_mode: list[str] | None = None,
    projector: bool = False,
    **kwargs: Any,
) -> Any:
    """Draw a cxchange.charts chart across the page, its Vega-Lite spec cached by its inputs.

    Building and validating an Altair chart takes longer than the rest of a rerun; the spec of
    the same inputs is the same, so a warm rerun skips it. With `projector`, text and marks are
    enlarged for a shared screen (workshop.for_projector).
    """
    name = f"{_name(make)} spec" + (" for the projector" if projector else "")

    def build() -> dict[str, Any]:
        # Rows inline: Streamlit turns named datasets into Arrow on every run, which costs more than JSON.
        spec = exports.chart_spec(make(*args, **kwargs))
        return workshop.for_projector(spec) if projector else spec

    spec = _cached(("spec", name, _key(args), _key(kwargs)), build)
    drawn = st.vega_lite_chart(spec=spec, width="stretch", key=key, on_select=on_select, selection_mode=selection_mode)
    if not projector:
        _chart_downloads(spec, name, key)
    return drawn


MISSING = exports.MISSING
"""An empty cell in every table and grid the app draws (st.dataframe and st.data_editor's placeholder): never "None"."""


def table(data: Any, name: str, **options: Any) -> Any:
    """st.dataframe of a table people may take away, with its CSV and XLSX (formula-like cells neutralised).

    The files hold exactly the rows and columns shown, so whatever the view hides stays hidden.
    """
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    drawn = st.dataframe(frame, **{"placeholder": MISSING, **options})
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
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 0.6rem 2.5rem 0.4rem; }
[data-testid="stMain"] { color: #000; background: #fff; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li, label p,
[data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stAlert"] p,
.stButton button p, [data-testid="stFormSubmitButton"] button p, input, textarea,
[data-testid="stDateInput"] input { font-size: 26px !important; }
/* The date input draws its day as segments (year, month and day spin buttons), not in an input element;
   no tag may be named in here: st.html drops a style block whose text looks like markup. */
[data-testid="stDateInput"] [role="group"], [data-testid="stDateInput"] [role="group"] * {
  font-size: 26px !important; line-height: 1.2 !important; }
[data-testid="stDateInput"] [role="group"] { height: auto !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th { padding: 0.15rem 0.6rem !important; }
[data-testid="stMarkdownContainer"] h1 { font-size: 52px !important; padding: 0 0 0.3rem; line-height: 1.15; }
.cx-big { font-size: 140px; font-weight: 700; line-height: 1.05; color: #000; }
.cx-mid { font-size: 44px; font-weight: 600; line-height: 1.2; color: #111; margin-bottom: 0.4rem; }
.cx-where { font-size: 26px; text-align: center; color: #222; }
.cx-votes { font-size: 56px; font-weight: 700; line-height: 1; text-align: center; color: #000; }
/* A chart is never wider than its column nor taller than what the screen leaves under the headline:
   the drawing shrinks, keeping its proportions, on a 1280 x 720 projector as on a 1920 x 1080 one. */
[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg {
  max-width: 100% !important; max-height: calc(100vh - 230px) !important;
  width: auto !important; height: auto !important; }
</style>
"""
"""Workshop presentation: no sidebar or toolbar, body text 26 px, headlines 44 px and more, black on white,
charts shrunk to fit the screen, and the demo label one small line."""


def presenting() -> bool:
    """Whether the page is a workshop session on the shared screen (its link names a step)."""
    return "step" in st.query_params


def team_chart(make: Callable[..., Any], *args: Any, key: str, **kwargs: Any) -> None:
    """Draw a chart of teams (see `chart`) whose marks open the clicked team in Team detail."""
    event = chart(make, *args, key=key, on_select="rerun", selection_mode=[charts.TEAM_SELECTION], **kwargs)
    clicked = event.selection.get(charts.TEAM_SELECTION) if event else None
    if clicked and clicked[0].get("team_name") in set(teams()["name"]):  # "All teams" has no detail page
        st.switch_page("app_pages/team_detail.py", query_params={"team": clicked[0]["team_name"]})


def highlight_picker(lines: pd.DataFrame, key: str) -> int | None:
    """The team (id) a trend chart draws in its colour with the others in grey; None: every team in its colour."""
    names = {int(team_id): str(team) for team_id, team in zip(lines["team_id"], lines["team"], strict=True)}
    return st.selectbox(
        "Highlight a team",
        [None, *names],
        format_func=lambda team_id: "None: every team in its colour" if team_id is None else names[team_id],
        key=key,
        help="The chosen team in its colour, with its confidence band and its name at the line's end; the others grey.",
    )


def today() -> date:
    """The day pages count from: the demo's own "as of" day (sample_data.LAST_DAY) while the demo is loaded,
    so its quiet champions, stale steps, overdue actions and sponsor lights read the same whenever it is
    opened; the calendar's today in a workspace of one's own."""
    return sample_data.day_of(read(store.settings.workspace_kind), date.today())


DEMO_LINE_STYLE = (
    "font-size: 14px; line-height: 1.3; color: #5a4a00; background: #fff6d5; padding: 1px 8px; "
    "border-radius: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis"
)
"""The demo label while presenting: one small line (inline, so it is small before PROJECTOR_CSS arrives)."""


def demo_banner() -> None:
    """The label every page carries while the demo organisation is loaded; on the projector one small line,
    so the room's screen is the session's (and still says the figures are made up)."""
    if read(store.settings.workspace_kind) == "demo":
        if presenting():
            st.html(
                f"<div class='cx-demo' style='{DEMO_LINE_STYLE}'>Demo data: {html_text(sample_data.DEMO_NAME)} "
                f"is a made-up organisation, as of {sample_data.LAST_DAY.day} {sample_data.LAST_DAY:%b %Y}.</div>"
            )
            return
        st.info(
            f"**Demo data** — {sample_data.DEMO_NAME} is a made-up organisation, as of "
            f"{sample_data.LAST_DAY.day} {sample_data.LAST_DAY:%b %Y}: its pages count days from then, whatever "
            "today's date. Start a workspace of your own under Settings → Workspace.",
            icon=":material/science:",
        )


def initiative_picker(key: str = "initiative") -> int | None:
    """Select box of initiatives by name, archived ones left out; returns the chosen id (the first one with
    waves preselected)."""
    options = read(store.org.initiatives, archived=False)
    if options.empty:
        return None
    with_waves = waves(None)
    with_waves = with_waves[with_waves["initiative_id"].isin(options["id"])]
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
    """Select box of today's teams in hierarchy order, indented; returns the chosen team id (0: all teams)."""
    tree = hierarchy.team_tree(active_teams())
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


# Organisational pages


def cx_outcomes() -> pd.DataFrame:
    """Every CX outcome figure of the workspace: team_id, team, period, metric, value."""
    return _scoped(read(store.outcomes.cx_outcomes))


def team_ids() -> dict[str, int]:
    """Team name -> id for every team the person sees."""
    found = read(store.org.team_ids)
    cut = scope()
    if cut is None:
        return found
    inside = access.scope_ids(all_teams(), cut)
    return {name: team for name, team in found.items() if team in inside}


def kotter_steps(initiative_id: int) -> pd.DataFrame:
    """store.kotter.kotter_steps of an initiative."""
    return read(store.kotter.kotter_steps, initiative_id)


def kotter_history(initiative_id: int) -> pd.DataFrame:
    """store.kotter.kotter_history of an initiative."""
    return read(store.kotter.kotter_history, initiative_id)


def initiative_actions(initiative_id: int | None) -> pd.DataFrame:
    """store.actions.initiative_actions of an initiative."""
    return _scoped(read(store.actions.initiative_actions, initiative_id))


def champion_roster() -> pd.DataFrame:
    """Every champion with their team (of the person's teams)."""
    return _scoped(read(store.champions.champion_roster))


def champion_activity_log() -> pd.DataFrame:
    """Every logged session, newest first (of the person's teams)."""
    return _scoped(read(store.champions.champion_activity_log))


def champion_batches() -> pd.DataFrame:
    """Roster imports with what they still hold."""
    return read(store.champions.champion_batches)


def health_data(initiative_id: int) -> health.HealthData:
    """What the programme-health checks read about an initiative, with the workspace's settings (stale weeks
    and the health thresholds)."""
    inputs = read(store.health.health_inputs, initiative_id)
    workspace = settings()
    results = computed(health.readiness_results, readiness_frame(initiative_id))
    return computed(health.HealthData.from_frames, inputs, workspace["stale_weeks"], workspace, results)


# Import & entry ---


def items() -> pd.DataFrame:
    """The question bank in survey order."""
    return read(store.org.items)


def saved_mappings() -> dict[str, str]:
    """Import mappings saved by name: name -> mapping JSON."""
    return read(store.settings.saved_mappings)


def team_results(wave_id: int) -> pd.DataFrame:
    """The team-level results entered for a wave (of the person's teams)."""
    return _scoped(read(store.responses.team_results, wave_id))


def import_batches() -> pd.DataFrame:
    """Every import, newest first, with how many responses it still holds."""
    return read(store.responses.batches)


def batch_outcomes(batch: int) -> dict[str, Any]:
    """What an import recorded about its rows."""
    return read(store.responses.batch_outcomes, batch)


# Reports & export ---


def report_document(initiative_id: int, wave_id: int, team_id: int = 0, group: str = "all") -> exports.Report:
    """services.report_document for the workspace; for someone who looks after some teams, "All teams" is
    their scope team, and a team outside it is refused."""
    cut = scope()
    if cut is not None:
        team_id = cut if team_id == hierarchy.ORGANISATION else team_id
        if team_id not in access.scope_ids(all_teams(), cut):
            raise access.Refused("Reports are made for the teams you look after only.")
    return read(services.report_document, initiative_id, wave_id, team_id, group)


_RENDERER_WARMING = threading.Lock()
_renderer_warmed = False


def warm_chart_renderer() -> None:
    """Start the chart renderer in the background, once per server, so the first report click does not wait for
    it. Called at the end of the Reports page's run: the page is drawn before this starts, and it draws nothing."""
    global _renderer_warmed
    with _RENDERER_WARMING:
        if _renderer_warmed:
            return
        _renderer_warmed = True
    threading.Thread(target=exports.warm, name="warm-chart-renderer", daemon=True).start()


def export_file(report: exports.Report, kind: str, part: int | None = None) -> Callable[[], bytes]:
    """The file of a report (`part` None: html, pdf, pptx) or of one of its sections (png, svg, csv, xlsx),
    as a callable for st.download_button: made when the user clicks, then cached."""
    return lambda: computed(exports.report_file, report, kind, part)
