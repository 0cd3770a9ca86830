"""No user text becomes HTML or a link in the messages a page shows after an interaction (issue 13).

test_escaping.py sweeps every page's first render; these drive the forms people type into (actions, Team detail,
the organisation grid, initiatives, champions, an import, the Kotter board, the workshop) with a link, an image,
an iframe and a redirect, and read every message, caption and markdown the page then shows: each payload must
read as the literal text typed, with no live tag, link or address left in the markdown Streamlit renders."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest
from test_escaping import markdown_elements
from test_pages import as_read

from cxchange import sample_data, services, store
from cxchange.text import message_markdown

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "imports"

LINK = "[click](https://evil.example/)"
IMAGE = "<img src=x onerror=alert(1)>"
IFRAME = '<iframe srcdoc="<script>alert(1)</script>">'
META = "<meta http-equiv=refresh content=0;url=https://evil.example>"

LIVE = {
    "a raw tag": re.compile(r"(?<!\\)<[A-Za-z/!?]"),
    "a link": re.compile(r"(?<!\\)\]\s*(?<!\\)\("),
    "an address GFM links": re.compile(r"https?:/|www\.|\w@\w", re.IGNORECASE),
}


def shown(at: AppTest) -> list[str]:
    """The markdown of every message, caption and text on the page, toasts too (HTML blocks: see below)."""
    bodies = [proto.body for proto in markdown_elements(at) if not html(proto)]
    return bodies + [toast.value for toast in at.toast]


def html(proto) -> bool:
    """Whether an element is our own HTML (st.html, markdown with unsafe_allow_html), escaped with html_text."""
    return proto.DESCRIPTOR.name == "Html" or getattr(proto, "allow_html", False)


def assert_plain(at: AppTest, *payloads: str) -> None:
    """Nothing on the page is live markup, and each payload reads, as typed, in one of its messages."""
    assert not at.exception
    bodies = shown(at)
    for body in bodies:
        for what, pattern in LIVE.items():
            assert not pattern.search(body), f"{what} in {body[:300]!r}"
    for proto in markdown_elements(at):  # our own HTML (the workshop's big figures) quotes nothing raw
        if html(proto):
            assert not [tag for tag in ("<img", "<iframe", "<meta", "<script") if tag in proto.body], proto.body
    read = [" ".join(as_read(body).split()) for body in bodies]
    for payload in payloads:
        assert any(payload in text for text in read), (payload, read)


def messages(at: AppTest) -> str:
    """Every alert on the page, as a person reads it."""
    alerts = [element.value for kind in ("success", "error", "warning", "info") for element in at.get(kind)]
    return "\n".join(as_read(alert) for alert in alerts)


def rename(path: Path, renamed: dict[str, str]) -> None:
    database = store.open_db(path)
    try:
        ids = store.org.team_ids(database)
        services.save_teams(database, [{"row": old, "id": ids[old], "name": new} for old, new in renamed.items()])
    finally:
        database.close()


def test_adding_and_editing_an_action_quotes_its_title_and_owner_as_typed(app):
    at = app.switch_page("app_pages/actions.py").run()
    at.text_input(key="action_title").input(f"Ask {LINK} {IFRAME}")
    at.text_input(key="action_owner").input(IMAGE)
    at.date_input(key="action_due").set_value(datetime.date(2026, 12, 18))
    at.button(key="action_submit").click().run()
    assert f"Ask {LINK} {IFRAME}" in messages(at)
    assert_plain(at, f"Ask {LINK} {IFRAME}")

    editor = at.data_editor[0]
    row = editor.value["Action"].tolist().index(f"Ask {LINK} {IFRAME}")
    at.session_state[editor.key] = {"edited_rows": {row: {"Owner": META}}, "added_rows": [], "deleted_rows": []}
    at.button(key="actions_save").click().run()
    assert "Saved changes to 1 action" in messages(at)
    assert_plain(at, f"Ask {LINK} {IFRAME}", META)


def test_team_detail_adds_an_action_for_a_hostile_team_name_as_typed(app, demo_path):
    rename(demo_path, {"Distribution Centre": IMAGE})
    at = app
    at.query_params["team"] = IMAGE
    at.switch_page("app_pages/team_detail.py").run()
    at.text_input(key="barrier_title").input(LINK)
    at.text_input(key="barrier_owner").input(META)
    next(button for button in at.button if button.label == "Add the action").click().run()
    assert f"Added “{LINK}” for {IMAGE}." in messages(at)
    assert_plain(at, LINK, IMAGE)


def test_the_organisation_grid_and_a_merge_name_new_teams_as_typed(app):
    at = app.switch_page("app_pages/settings.py").run()
    grid = at.data_editor(key="org_grid:0").value
    north = int(grid.index[grid["Team"] == "Stores North"][0])
    at.session_state["org_grid:0"] = {
        "edited_rows": {north: {"Team": META}},
        "added_rows": [{"Team": IMAGE, "Parent team": "Stores"}, {"Team": LINK, "Parent team": "Stores"}],
        "deleted_rows": [],
    }
    at.button(key="org_save").click().run()
    assert "Saved the teams" in messages(at)
    assert_plain(at)

    at.selectbox(key="merge_from").select(IMAGE)
    at.selectbox(key="merge_into").select(LINK)
    at.button(key="merge_submit").click().run()
    assert f"Merged {IMAGE} into {LINK}" in messages(at)
    assert_plain(at, IMAGE, LINK)  # the message, and the merge's line with its Undo button


def test_a_new_initiative_and_wave_are_named_as_typed(app):
    at = app.switch_page("app_pages/settings.py").run()
    at.text_input(key="initiative_name").input(IFRAME)
    at.text_input(key="initiative_owner").input("Hannah Reed")
    at.button(key="initiative_add").click().run()
    assert f"Added the initiative {IFRAME}." in messages(at)
    assert_plain(at, IFRAME)

    at.text_input(key="wave_name").input(LINK)
    at.button(key="wave_add").click().run()
    assert f"Added the wave {LINK} to " in messages(at)
    assert_plain(at, LINK)


def test_champions_added_logged_and_stepped_down_are_named_as_typed(app, demo_path):
    rename(demo_path, {"Logistics Planning": IFRAME})
    at = app.switch_page("app_pages/champions.py").run()
    at.text_input(key="add_alias").input(LINK)
    at.selectbox(key="add_team").set_value(IFRAME)
    at.button(key="add_submit").click().run()
    assert f"Added {LINK} to the roster of {IFRAME}" in messages(at)
    assert_plain(at, LINK, IFRAME)

    roster = store.champions.champion_roster(store.open_db(demo_path))
    champion = int(roster.set_index("alias").loc[LINK, "id"])
    at.selectbox(key="entry_champion").set_value(champion)
    at.number_input(key="entry_people").set_value(6)
    at.button(key="entry_submit").click().run()
    assert f"by {LINK} · {IFRAME}" in messages(at)
    assert_plain(at, LINK, IFRAME)

    at.selectbox(key="retire_champion").set_value(champion)
    at.button(key="retire_submit").click().run()
    assert f"{LINK} · {IFRAME} stepped down on {sample_data.LAST_DAY.isoformat()}." in messages(at)
    assert_plain(at, LINK, IFRAME)


def survey_with_team(team: str) -> bytes:
    """The Google Forms export with its new team (Click & Collect) named `team`."""
    return (FIXTURES / "googleforms.csv").read_bytes().replace(b"Click & Collect", team.encode())


def test_an_import_names_its_file_wave_and_new_team_as_typed(app, own_workspace):
    at = app.switch_page("app_pages/import_entry.py").run()
    at.selectbox(key="import_wave").select("New wave…").run()
    at.text_input(key="import_new_wave").input("2027 Q1 [x](https://evil.example/)").run()
    name = f"{IMAGE}.csv"
    at.file_uploader[0].upload(name, survey_with_team(META)).run()
    assert f"Will create team {META}." in "\n".join(as_read(body) for body in shown(at))
    assert_plain(at, META)  # the preview's lines

    next(button for button in at.button if button.label == "Import").click().run()
    assert f"Imported {name}" in messages(at)
    assert_plain(at, name, META, "2027 Q1 [x](https://evil.example/)")


def test_the_kotter_board_quotes_a_new_owner_and_evidence_as_typed(app):
    at = app.switch_page("app_pages/kotter_board.py").run()
    edits = {7: {"Owner": IMAGE, "Evidence": LINK}}  # step 8: a new owner is "changed", the evidence quoted
    at.session_state[at.data_editor[0].key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.button(key="kotter_save").click().run()
    assert "Saved 1 step" in messages(at)
    assert_plain(at, LINK)


def test_the_workshop_captures_an_action_as_typed(app):
    at = app.switch_page("app_pages/workshop.py").run()
    next(button for button in at.button if button.label == "Start the session").click().run()
    while at.query_params["step"] != "act:Distribution Centre":
        next(button for button in at.button if button.label == "Next →").click().run()
    at.text_input[0].input(f"{LINK} {IFRAME}")
    at.text_input[1].input(META)
    next(button for button in at.button if button.label == "Add to the action log").click().run()
    assert f"Added: {LINK} {IFRAME}" in messages(at)
    assert_plain(at, f"{LINK} {IFRAME}")


def test_a_service_message_keeps_only_our_own_formatting():
    said = message_markdown(f"Nothing was saved for {IMAGE}:", [LINK, f"**{META}**"])
    assert said.startswith("Nothing was saved for ")
    lines = said.split("\n")
    assert lines[1] == ""  # the list starts a paragraph of its own
    assert [line[:2] for line in lines[2:]] == ["- ", "- "]  # our bullets, and only ours
    assert as_read(said) == f"Nothing was saved for {IMAGE}:\n\n- {LINK}\n- **{META}**"
    for pattern in LIVE.values():
        assert not pattern.search(said)
