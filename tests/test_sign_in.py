"""With sign-in configured ([auth] in .streamlit/secrets.toml), the app as each kind of person sees it.

st.user knows "is_logged_in" only where a real secrets file has an [auth] section (AppTest's `secrets` does
not reach it), so each test runs the real app.py from a folder holding one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_pages import as_read

from cxchange import sample_data, services, store
from cxchange.model import ELEMENTS

ROOT = Path(__file__).resolve().parent.parent
SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:8599/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-some-length"
client_id = "cxchange"
client_secret = "not-a-secret"
server_metadata_url = "http://127.0.0.1:8598/.well-known/openid-configuration"
"""
PAGES = ("app_pages/overview.py", "app_pages/team_detail.py", "app_pages/import_entry.py", "app_pages/settings.py")


@pytest.fixture
def as_person(demo_path: Path, tmp_path: Path, monkeypatch) -> Iterator[Callable[..., AppTest]]:
    """The app, on a private demo copy, for someone: as_person(email) signed in, as_person(None) not; a page
    and its link's query parameters may follow (as_person(email, page, step="actions"))."""
    folder = tmp_path / "deployed"
    (folder / ".streamlit").mkdir(parents=True)
    (folder / ".streamlit" / "secrets.toml").write_text(SECRETS, encoding="utf-8")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    monkeypatch.setenv("CXCHANGE_ADMINS", "boss@example.com")
    st.cache_data.clear()

    def make(email: str | None, page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email}
        if page:
            at.switch_page(page)
        at.query_params.update(query)
        return at.run()

    st.secrets._reset()  # st.secrets reads its files once per process: read this folder's
    yield make
    monkeypatch.undo()  # back to the project's folder, whose secrets hold no [auth]
    st.secrets._reset()  # so the next test in this process does not find this one's sign-in


def written(at: AppTest) -> str:
    kinds = ("title", "markdown", "caption", "info", "warning", "success", "error", "metric")
    written = "\n".join(str(getattr(element, "value", "")) for kind in kinds for element in at.get(kind))
    return f"{written}\n{as_read(written)}"  # as markdown, then as read (messages escape what they quote)


@pytest.mark.parametrize("page", [None, *PAGES])
def test_nobody_sees_anything_but_the_sign_in_screen_before_signing_in(as_person, page):
    at = as_person(None, page)

    assert not at.exception
    assert [button.label for button in at.button] == ["Sign in"]
    assert "Sign in with your organisation's account" in written(at)
    assert not at.metric
    assert not at.dataframe
    assert "Northwind" not in written(at)


def test_someone_without_a_role_is_asked_to_see_their_admin(as_person):
    at = as_person("stranger@example.com", "app_pages/overview.py")

    assert [as_read(w.value) for w in at.warning] == [
        "You are signed in as stranger@example.com, but you have no access to cxchange yet. "
        "Ask your cxchange admin for access."
    ]
    assert [button.label for button in at.button] == ["Sign out"]
    assert not at.metric


def test_a_viewer_reads_but_import_and_settings_are_not_there(as_person, demo_db):
    services.save_user(demo_db, "vera@example.com", "viewer")
    at = as_person("vera@example.com")

    assert not at.exception
    assert at.metric  # the Overview's figures
    assert "Signed in as vera@example.com: viewer for the whole organisation." in written(at)
    for page in ("app_pages/import_entry.py", "app_pages/settings.py"):
        opened = as_person("vera@example.com", page)  # a deep link to a page the role may not use
        assert [t.value for t in opened.title] == ["Overview"]  # lands on the Overview instead
        assert not [tab for tab in opened.tabs if tab.label == "People"]


def test_an_admin_gives_a_role_and_the_audit_trail_names_them(as_person, demo_db):
    at = as_person("boss@example.com", "app_pages/settings.py")
    people = next(tab for tab in at.tabs if tab.label == "People")
    people.text_input[0].input("Ed@Example.com")
    people.selectbox[0].select("editor")
    people.selectbox[1].select("Stores")
    at = people.button[0].click().run()

    assert not at.exception
    assert "ed@example.com is now editor for Stores." in written(at)
    stores = store.org.team_ids(demo_db)["Stores"]
    assert services.signed_in_actor(demo_db, "ed@example.com", []).team_id == stores
    entry = store.people.audit(demo_db).iloc[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("boss@example.com", "role given", "ed@example.com")
    audit = next(tab for tab in at.tabs if tab.label == "Audit")
    assert "boss@example.com" in audit.dataframe[0].value["actor"].tolist()


def test_an_editor_sees_import_but_not_settings(as_person, demo_db):
    services.save_user(demo_db, "ed@example.com", "editor")
    at = as_person("ed@example.com", "app_pages/import_entry.py")

    assert not at.exception
    assert any("Import" in t.value for t in at.title)
    settings = as_person("ed@example.com", "app_pages/settings.py")
    assert [t.value for t in settings.title] == ["Overview"]


OUTSIDE_STORES = (
    "Customer Operations",
    "Contact Centre",
    "Complaints Resolution",
    "Customer Insight",
    "Digital Marketing",
    "E-commerce",
    "Supply Chain",
    "Distribution Centre",
    "Logistics Planning",
    "Store Support",
)


def everything_sent(at: AppTest) -> str:
    """Every element's message as the browser would receive it: text, tables, chart data, options."""
    found = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    frames = [element.value.to_csv() for element in at.dataframe]
    return "\n".join(found + frames)


VIEWER_PAGES = [
    "app_pages/overview.py", "app_pages/readiness.py", "app_pages/team_detail.py", "app_pages/cx_outcomes.py",
    "app_pages/kotter_board.py", "app_pages/champions.py", "app_pages/actions.py", "app_pages/workshop.py",
    "app_pages/reports.py",
]  # fmt: skip


@pytest.mark.parametrize("page", VIEWER_PAGES)
def test_a_viewer_scoped_to_stores_sees_stores_and_nothing_of_the_rest(as_person, demo_db, page):
    services.save_user(demo_db, "vera@example.com", "viewer", "Stores")
    at = as_person("vera@example.com", page)

    assert not at.exception, at.exception
    sent = everything_sent(at)
    assert [name for name in OUTSIDE_STORES if name in sent] == []
    if page == "app_pages/overview.py":
        assert "Stores North" in sent


# What each role may change: a viewer reads tables, a scoped editor edits their teams only -----------------

READ_ONLY = 0
"""The editing mode of a table one can only read (st.dataframe); a data editor's is FIXED or DYNAMIC."""
WORKSHOP_ACTIONS = {"initiative": "1", "wave": "6", "steps": "actions", "step": "actions"}
"""The workshop presenting its actions step (votes and the capture form) of the demo's latest wave."""
EDITING_PAGES = {
    "app_pages/champions.py": {},
    "app_pages/actions.py": {},
    "app_pages/cx_outcomes.py": {},
    "app_pages/kotter_board.py": {},
    "app_pages/workshop.py": WORKSHOP_ACTIONS,
}
MOVING = {"Sign out", "← Previous", "Next →", "End", "Set up a new session"}
"""Buttons that change nothing stored."""
STORES_TEAMS = ["Stores", "Stores North", "Stores South", "Stores West"]


def editors(at: AppTest) -> list[str]:
    """What a person may change on the page: its data editors (by their columns) and its writing buttons."""
    grids = [", ".join(d.value.columns) for d in at.dataframe if d.proto.editing_mode != READ_ONLY]
    return grids + [button.label for button in at.button if button.label not in MOVING]


def grid_options(at: AppTest, column: str) -> list[list[str]]:
    """The choices of `column` in each data editor of the page that has it as a select box column."""
    found = []
    for grid in at.dataframe:
        config = json.loads(grid.proto.columns or "{}").get(column, {})
        if grid.proto.editing_mode != READ_ONLY and "options" in config.get("type_config", {}):
            found.append(config["type_config"]["options"])
    return found


@pytest.fixture
def workshop_action(demo_db) -> None:
    """An action captured in the demo's day's workshop (its "as of" day), so its actions step shows the dot-votes."""
    services.add_action(
        demo_db, 1, "Stand-up at every till", owner="Store lead", due_on=sample_data.LAST_DAY, team_id=2,
        source="workshop", today=sample_data.LAST_DAY,
    )  # fmt: skip


@pytest.mark.parametrize("page", list(EDITING_PAGES))
def test_a_viewer_reads_tables_and_gets_no_editor_and_no_save_button(as_person, demo_db, workshop_action, page):
    services.save_user(demo_db, "vera@example.com", "viewer")
    services.save_user(demo_db, "ed@example.com", "editor")

    at = as_person("vera@example.com", page, **EDITING_PAGES[page])
    assert not at.exception, at.exception
    assert editors(at) == []
    if page == "app_pages/workshop.py":
        assert "every till** — 0 votes" in written(at)  # the votes, to read
    else:
        assert at.dataframe  # the figures as read-only tables
    editor = as_person("ed@example.com", page, **EDITING_PAGES[page])  # the same page, for an editor
    assert not editor.exception, editor.exception
    assert editors(editor) != []


def test_a_scoped_editor_picks_only_their_teams_and_edits_no_programme_wide_board(as_person, demo_db, workshop_action):
    services.save_user(demo_db, "sam@example.com", "editor", "Stores")

    champions = as_person("sam@example.com", "app_pages/champions.py")
    assert not champions.exception, champions.exception
    assert champions.selectbox(key="add_team").options == STORES_TEAMS
    assert grid_options(champions, "Team") == [STORES_TEAMS]
    actions = as_person("sam@example.com", "app_pages/actions.py")
    # no "no one team": an action of the whole programme is not theirs to log
    assert [option.strip() for option in actions.selectbox(key="action_team").options] == STORES_TEAMS
    assert "Add action" in editors(actions)
    for page in ("app_pages/cx_outcomes.py", "app_pages/import_entry.py"):  # the import page is theirs now
        opened = as_person("sam@example.com", page)
        assert not opened.exception, opened.exception
        assert grid_options(opened, "Team") == [STORES_TEAMS], page
    workshop = as_person("sam@example.com", "app_pages/workshop.py", **WORKSHOP_ACTIONS)
    assert "+1" in editors(workshop)  # dot-votes by clicking
    assert "Across the programme" not in workshop.selectbox[0].options

    board = as_person("sam@example.com", "app_pages/kotter_board.py")
    assert editors(board) == []
    assert "changing it needs the editor role for the whole organisation" in written(board)
    settings = as_person("sam@example.com", "app_pages/settings.py")
    assert [t.value for t in settings.title] == ["Overview"]  # Settings stays the admins'


def test_a_scoped_editor_on_the_import_page_sees_nothing_of_other_teams(as_person, own_db):
    services.save_user(own_db, "sam@example.com", "editor", "Stores")
    entered = pd.DataFrame(
        [{"team_id": 6, "element": element, "mean": 3.2, "n": 14, "sd": None} for element in ELEMENTS]
    )  # Contact Centre's results, entered by an admin
    services.save_team_results(own_db, 6, entered)

    at = as_person("sam@example.com", "app_pages/import_entry.py")
    assert not at.exception, at.exception
    sent = everything_sent(at)
    assert [name for name in OUTSIDE_STORES if name in sent] == []
    assert "Nothing imported yet." in written(at)  # the admin's entry is not theirs to see or undo
