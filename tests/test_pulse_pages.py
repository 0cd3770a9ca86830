"""The live pulse in the Workshop (issue 15): an editor opens and closes it, the room sees its link and QR code,
and the presenter's step counts the answers, then shows a team's figures once it has enough of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_pages import ROOT, opened, texts
from test_sign_in import SECRETS

from cxchange import pulses, services, store

SHORT_ANSWER = {"AW1": "4", "DE1": "2", "KN1": "3", "AB1": "4", "RE1": "5"}


def button(at: AppTest, label: str):
    return next(found for found in at.button if found.label == label)


def labels(at: AppTest) -> list[str]:
    return [found.label for found in at.button]


def images(at: AppTest) -> list[str]:
    """The address of every image on the page (a QR code is an SVG data address)."""
    return [image.url for element in at.get("image") for image in element.proto.imgs]


@pytest.fixture
def viewer_app(own_workspace, tmp_path, monkeypatch) -> Iterator[AppTest]:
    """The Workshop as vera@example.com, a viewer, signs in to it (sign-in configured as in test_sign_in)."""
    database = store.open_db(own_workspace)
    services.save_user(database, "vera@example.com", "viewer")
    database.close()
    folder = tmp_path / "deployed"
    (folder / ".streamlit").mkdir(parents=True)
    (folder / ".streamlit" / "secrets.toml").write_text(SECRETS, encoding="utf-8")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CXCHANGE_DB", str(own_workspace))
    st.cache_data.clear()
    st.secrets._reset()  # read this folder's secrets (st.secrets reads its files once per process)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "vera@example.com"}
    yield at.switch_page("app_pages/workshop.py")
    monkeypatch.undo()
    st.secrets._reset()


@pytest.fixture
def new_wave(demo_path) -> int:
    """A wave of Customer First opened after the demo's last one, with no results yet (the default wave)."""
    database = store.open_db(demo_path)
    wave_id, _ = services.add_wave(database, "Customer First", "Live check", date(2027, 1, 11))
    database.close()
    return wave_id


def open_from_workshop(at: AppTest, teams: list[str]) -> AppTest:
    at.multiselect(key="pulse_teams").set_value(teams)
    button(at, "Open pulse").click().run()
    assert not at.exception
    return at


def test_an_editor_opens_a_pulse_on_a_new_wave_sees_its_links_and_qr_code_and_presents_it(own_app, demo_path, new_wave):
    at = opened(own_app, "app_pages/workshop.py")
    assert not at.exception
    at = open_from_workshop(at, ["Distribution Centre", "Logistics Planning"])

    database = store.open_db(demo_path)
    token, wave = database.execute("SELECT token, wave_id FROM pulses").fetchone()
    ids = store.org.team_ids(database)
    assert wave == new_wave  # the wave chosen above, the latest
    assert "Pulse open until" in texts(at)
    # The app's own address where the browser's is unknown (AppTest): the server's address and port.
    assert any(re.fullmatch(rf"http://[\w.]+:8501/pulse/{token}", code.value) for code in at.code)
    shown = texts(at)
    assert f"/pulse/{token}?team={ids['Distribution Centre']})" in shown  # one link per team, the team fixed
    assert "phones cannot reach these links" in shown
    assert "--host 0.0.0.0" in shown
    assert any(url.startswith("data:image/svg+xml") for url in images(at))  # the QR code
    assert "Distribution Centre: Fewer than 5 answers so far" in shown

    button(at, "Show it on the shared screen").click().run()
    assert not at.exception
    assert at.query_params["step"] == "live"
    assert "1 of 1 · Live pulse" in texts(at)  # a wave with no results yet: the live step only
    assert any(url.startswith("data:image/svg+xml") for url in images(at))
    assert "Close pulse" in labels(at)
    database.close()


def test_the_live_step_counts_answers_then_shows_the_team_figures_then_closes(own_app, demo_path, new_wave):
    at = opened(own_app, "app_pages/workshop.py")
    at = open_from_workshop(at, ["Distribution Centre"])
    button(at, "Show it on the shared screen").click().run()
    database = store.open_db(demo_path)
    token = database.execute("SELECT token FROM pulses").fetchone()[0]
    team = str(store.org.team_ids(database)["Distribution Centre"])
    assert "Distribution Centre: Fewer than 5 answers so far" in texts(at)

    for phone in range(4):
        assert services.answer_pulse(database, token, f"phone-{phone}", {"team": team, **SHORT_ANSWER}) == "added"
    at.run()
    shown = texts(at)
    assert "Distribution Centre: Fewer than 5 answers so far" in shown  # 4 never rounds up to the minimum
    assert "Awareness" not in shown  # no figure below the minimum group size

    services.answer_pulse(database, token, "phone-4", {"team": team, **SHORT_ANSWER})
    at.run()  # the answers changed the file: the cached figures are read again
    shown = texts(at)
    assert "Distribution Centre: 5 answers so far" in shown
    assert (
        "Awareness 4.00 · Desire 2.00 · Knowledge 3.00 · Ability 4.00 · Reinforcement 5.00 · n = 5 answers to this "
        "pulse" in shown
    )
    assert "Stuck at: Desire" in shown
    assert "These figures move on in steps of at least 5 answers" in shown

    button(at, "Close pulse").click().run()
    assert not at.exception
    assert "This pulse has closed: it takes no more answers." in texts(at)
    assert "Close pulse" not in labels(at)
    assert not images(at)  # no QR code for a closed pulse
    with pytest.raises(pulses.PulseRefused, match="closed"):
        services.pulse_form(database, token)
    database.close()


def test_a_viewer_follows_the_live_pulse_but_opens_and_closes_nothing(viewer_app, own_workspace):
    database = store.open_db(own_workspace)
    wave = int(database.execute("SELECT id FROM waves WHERE name = '2026 Q4'").fetchone()[0])
    services.open_pulse(database, wave, ["Logistics Planning"])  # opened by an editor elsewhere
    database.close()

    at = viewer_app.run()
    assert not at.exception
    assert "Signed in as vera@example.com: viewer" in texts(at)
    assert "Logistics Planning: Fewer than 5 answers so far" in texts(at)
    assert "Open pulse" not in labels(at)
    assert "Close pulse" not in labels(at)
    assert not [expander for expander in at.expander if expander.label == "Open a live pulse"]


def test_opening_a_pulse_in_the_demo_workspace_says_why_not_in_one_sentence(app):
    at = opened(app, "app_pages/workshop.py")
    at = open_from_workshop(at, ["Distribution Centre"])

    assert len(at.error) == 1
    assert "cannot go into the demo workspace" in at.error[0].value
    assert "Start an empty workspace first" in at.error[0].value
    assert at.error[0].value.endswith("then open the pulse there\\.")  # as markdown: a pulse is opened, not imported
    assert "Pulse open until" not in texts(at)


def test_a_second_pulse_on_the_wave_stays_open_when_the_first_has_closed(own_app, demo_path, new_wave):
    database = store.open_db(demo_path)
    first = services.open_pulse(database, new_wave, ["Distribution Centre"])
    services.close_pulse(database, first["id"])
    second = services.open_pulse(database, new_wave, ["Logistics Planning"])
    database.close()

    at = opened(own_app, "app_pages/workshop.py")
    assert not at.exception
    assert [code.value.rsplit("/", 1)[1] for code in at.code] == [second["token"]]
    assert "Logistics Planning: Fewer than 5 answers so far" in texts(at)
    assert "Distribution Centre: Fewer than 5" not in texts(at)  # the closed one is not on the page


def test_the_sixth_answer_moves_no_figure_on_the_live_step_and_no_comment_shows_while_open(
    own_app, demo_path, new_wave
):
    # The 6th person's answer would be 6·B − 5·A if the means moved with it; a comment appearing right after
    # someone taps Send would name its author. The screen keeps the five first answers' figures, no comment.
    database = store.open_db(demo_path)
    pulse = services.open_pulse(database, new_wave, ["Distribution Centre"], comment_question="What would help?")
    team = str(store.org.team_ids(database)["Distribution Centre"])
    for phone in range(5):
        services.answer_pulse(database, pulse["token"], f"phone-{phone}", {"team": team, **SHORT_ANSWER})
    at = opened(own_app, "app_pages/workshop.py")
    button(at, "Show it on the shared screen").click().run()
    five = "Awareness 4.00 · Desire 2.00 · Knowledge 3.00 · Ability 4.00 · Reinforcement 5.00 · n = 5 answers"
    assert five in texts(at)

    sixth = dict.fromkeys(SHORT_ANSWER, "1") | {"team": team, "comment": "My manager never listens"}
    services.answer_pulse(database, pulse["token"], "phone-5", sixth)
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Distribution Centre: 6 answers so far" in shown
    assert five in shown  # unchanged: the sixth answer is not on the screen
    assert "n = 6" not in shown
    assert "never listens" not in shown
    database.close()
