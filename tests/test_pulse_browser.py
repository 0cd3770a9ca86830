"""The live pulse in a real browser (issue 15): phones (360 x 740) answer the short form, the presenter's screen
counts them and then shows the team's figures, a phone's second answer replaces its first (and moves no figure),
a closed pulse refuses, and an app address with a pulse token shows nothing but the way to the form."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser import ARTIFACTS, serving, settled

from cxchange import services, store

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1280, "height": 720}
TEAM = "Distribution Centre"
# AW1, DE1, KN1, AB1, RE1 of the short form, as a phone's labels say them
FIRST = ["Agree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
CHANGED = ["Strongly agree", "Agree", "Agree", "Agree", "Agree"]


@pytest.fixture
def pulse_workspace(own_workspace: Path) -> tuple[Path, str, int]:
    """The demo as the customer's own workspace, a new wave with no results, and a pulse open on it for two
    teams (opened as an editor would, through services): the file, the pulse's token and the wave's id."""
    database = store.open_db(own_workspace)
    wave, _ = services.add_wave(database, "Customer First", "Live check", date(2027, 1, 11))
    pulse = services.open_pulse(database, wave, [TEAM, "Logistics Planning"], minutes=60)
    database.close()
    return own_workspace, pulse["token"], wave


def answer(browser: Browser, url: str, values: list[str], picture: str | None = None, phone: Page | None = None):
    """A phone opens the pulse's link, picks the team and an answer per statement by their labels, and sends;
    returns its page (its context keeps the pulse's cookie, so it can answer again)."""
    if phone is None:
        phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    phone.goto(url)
    fieldsets = phone.locator("fieldset")
    fieldsets.nth(0).get_by_text(TEAM, exact=True).click()
    for number, value in enumerate(values, start=1):
        fieldsets.nth(number).get_by_text(value, exact=True).click()
    if picture:
        phone.screenshot(path=ARTIFACTS / f"pulse-{picture}.png", full_page=True)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    return phone


def responses(path: Path, wave: int) -> list[str]:
    database = store.open_db(path)
    try:
        return sorted(row[0] for row in database.execute("SELECT answers FROM responses WHERE wave_id = ?", [wave]))
    finally:
        database.close()


def test_phones_answer_the_pulse_and_the_presenter_sees_the_count_then_the_figures(
    pulse_workspace, browser: Browser, tmp_path: Path
):
    path, token, wave = pulse_workspace
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serving(path, tmp_path / "streamlit.log") as url:
        link = f"{url}/pulse/{token}"
        presenter = browser.new_context(viewport=PROJECTOR).new_page()
        presenter.goto(f"{url}/workshop")
        presenter.get_by_role("button", name="Show it on the shared screen").click()
        expect(presenter.get_by_text("1 of 1 · Live pulse")).to_be_visible()
        expect(presenter.get_by_text(f"{TEAM}: Fewer than 5 answers so far").first).to_be_visible()

        first = answer(browser, link, FIRST, picture="phone-form")
        expect(first.get_by_text("Your answers are in.")).to_be_visible()
        assert not re.search(r"\d\.\d\d|Awareness|answers so far", first.inner_text("body"))  # no results
        first.screenshot(path=ARTIFACTS / "pulse-thank-you.png", full_page=True)

        others = [answer(browser, link, FIRST) for _ in range(2)]
        expect(presenter.get_by_text(f"{TEAM}: About 5 answers so far")).to_have_count(0)  # 3 never rounds up to 5
        assert "Stuck at" not in presenter.inner_text("body")
        others += [answer(browser, link, FIRST) for _ in range(2)]
        expect(presenter.get_by_text(f"{TEAM}: 5 answers so far")).to_be_visible()
        expect(
            presenter.get_by_text(re.compile(r"Awareness 4\.00 · Desire 2\.00 .* · n = 5 answers to this pulse"))
        ).to_be_visible()
        expect(presenter.get_by_text("Stuck at: Desire")).to_be_visible()
        steps = presenter.get_by_text(re.compile(r"move on in steps of at least 5 answers"))
        expect(steps).to_be_visible()
        # the room reads why the figures wait at the presentation's size, not as a footnote
        assert float(steps.evaluate("node => getComputedStyle(node).fontSize").removesuffix("px")) >= 26
        settled(presenter)
        presenter.screenshot(path=ARTIFACTS / "pulse-presenter.png")
        before = responses(path, wave)

        answer(browser, link, CHANGED, phone=first)  # the same phone again: its answer replaced
        after = responses(path, wave)
        assert len(after) == len(before) == 5
        assert len(set(after) - set(before)) == 1  # one response changed, none added
        presenter.wait_for_timeout(2 * 3_000 + 500)  # two redraws of the live figures (every 3 s)
        settled(presenter)
        # one person's change of mind is not a step: the room still sees the figures of the five first answers
        expect(presenter.get_by_text(re.compile(r"Awareness 4\.00 · .* · n = 5 answers to this pulse"))).to_be_visible()
        assert "4.20" not in presenter.inner_text("body")
        expect(presenter.get_by_text(f"{TEAM}: 5 answers so far")).to_be_visible()

        for address in ("/", "/settings", "/overview"):  # an app address with the token: only the way to the form
            visitor = others[0]
            visitor.goto(f"{url}{address}?pulse={token}")
            expect(visitor.get_by_role("link", name="Open the form")).to_have_attribute("href", f"/pulse/{token}")
            settled(visitor)
            assert visitor.get_by_test_id("stSidebar").count() == 0
            body = visitor.inner_text("body")
            assert not re.search(r"\d\.\d\d|Northwind|Readiness|Awareness", body), address
        others[0].screenshot(path=ARTIFACTS / "pulse-app-address.png")

        presenter.get_by_role("button", name="Close pulse").click()
        expect(presenter.get_by_text("This pulse has closed: it takes no more answers.")).to_be_visible()
        first.goto(link)
        expect(first.get_by_text("This pulse has closed: it takes no more answers.")).to_be_visible()
        assert first.get_by_role("button", name="Send my answers").count() == 0
        for phone in (presenter, first, *others):
            phone.context.close()
