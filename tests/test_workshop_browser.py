"""The workshop on a shared screen: every step of a session, in a real browser at 1280×720 and 1920×1080, in
large type, shows without scrolling and with no chart wider than the screen; a capture and a +1 click work on
the way."""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, RUN_TIMEOUT_MS, drawn, serving, settled

from cxchange import store

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CXCHANGE_SHOTS", ARTIFACTS))
"""Where the screenshot of every step goes (CXCHANGE_SHOTS, else tests/artifacts)."""

# How far each part of the page reaches: the document, and Streamlit's main container (it scrolls, not the body).
MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const view = document.querySelector('[data-testid="stAppViewContainer"]');
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas, '
                                               + '[data-testid="stVegaLiteChart"] svg.marks')];
  return {
    viewport: [window.innerWidth, window.innerHeight],
    document: document.scrollingElement.scrollHeight,
    main: main ? main.scrollHeight : 0,
    view: view ? view.scrollHeight : 0,
    charts: charts.map(c => { const r = c.getBoundingClientRect(); return [r.width, r.right]; }),
  };
}"""

# The axis labels each chart shows (Vega hides a label that would collide by giving it opacity 0), by axis.
AXIS_LABELS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] g.role-axis-label')].map(axis =>
  [...axis.querySelectorAll('text')]
    .filter(text => text.textContent.trim() && text.getAttribute('opacity') !== '0'
                    && getComputedStyle(text).opacity !== '0')
    .map(text => { const r = text.getBoundingClientRect();
                   return [text.textContent, r.left, r.right, r.top, r.bottom]; }))"""


# The font size of each field of the action-capture form, by its label: the text boxes, the pickers, the due
# date's year, month and day (drawn as spin buttons, not as a text box).
CAPTURE_FONTS = """() => {
  const form = document.querySelector('[data-testid="stForm"]');
  const size = element => getComputedStyle(element).fontSize;
  return Object.fromEntries([...form.querySelectorAll('input[aria-label], [role="spinbutton"]')]
    .filter(element => element.getBoundingClientRect().height > 0)
    .map(element => [element.getAttribute('aria-label'), size(element)]));
}"""
BODY_TEXT = "26px"
"""The presentation's body text (ui.PROJECTOR_CSS), which every field of the capture form reads at too."""


def fits(page: Page) -> dict:
    found = page.evaluate(MEASURE)
    width, height = found["viewport"]
    for part in ("document", "main", "view"):
        assert found[part] <= height, f"{part} is {found[part]} px high in a {width}×{height} screen"
    for chart_width, right in found["charts"]:
        assert chart_width <= width, f"a chart {chart_width:.0f} px wide in a {width} px screen"
        assert right <= width + 1, f"a chart reaching {right:.0f} px in a {width} px screen"
    for axis in page.evaluate(AXIS_LABELS):  # no two labels of an axis drawn over each other ("100%50%")
        for (one, left, right, top, bottom), (other, left2, right2, top2, bottom2) in itertools.combinations(axis, 2):
            apart = right <= left2 + 0.5 or right2 <= left + 0.5 or bottom <= top2 + 0.5 or bottom2 <= top + 0.5
            assert apart, f"axis labels {one!r} and {other!r} overlap in a {width}×{height} screen"
    return found


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_every_step_of_a_session_fits_the_projector_without_scrolling(
    demo_path: Path, tmp_path: Path, page: Page, width: int, height: int
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving(demo_path, tmp_path / "streamlit.log") as server:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{server}/workshop")
        start = page.get_by_role("button", name="Start the session")
        expect(start).to_be_visible(timeout=60_000)
        settled(page)
        start.click()
        expect(page.get_by_text("1 of 10 · Organisation pulse")).to_be_visible(timeout=30_000)
        settled(page)
        assert re.search(r"session=\d+", page.url)  # the session's own id, in its link
        # Presentation: no sidebar, large type, the headline figure at 48 px or more.
        expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
        assert float(page.locator(".cx-big").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
        body = page.locator("[data-testid='stMarkdownContainer'] p").first
        assert float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 24
        # The demo label stays, as one small line.
        banner = page.locator(".cx-demo")
        expect(banner).to_be_visible()
        assert banner.bounding_box()["height"] <= 24
        expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
        measured = []
        for number in range(1, 11):
            expect(page.get_by_text(re.compile(rf"^{number} of 10 · "))).to_be_visible(timeout=30_000)
            drawn(page)
            slug = unquote_plus(page.url.split("step=")[-1].split("&")[0])
            if slug == "act:Distribution Centre":
                expect(page.get_by_role("spinbutton", name="day, Due")).to_be_visible()
                sizes = page.evaluate(CAPTURE_FONTS)
                assert {"What will we do?", "Owner (who will see it done)", "day, Due"} <= set(sizes), sizes
                assert set(sizes.values()) == {BODY_TEXT}, sizes  # the due date and owner as large as the rest
                page.get_by_role("textbox", name="What will we do?").fill(
                    "Director briefs every shift on why we change"
                )
                page.get_by_role("textbox", name="Owner (who will see it done)").fill("Supply chain director")
                page.get_by_role("button", name="Add to the action log").click()
                expect(page.get_by_text("Added: Director briefs every shift on why we change")).to_be_visible(
                    timeout=RUN_TIMEOUT_MS
                )
                drawn(page)
            if slug == "actions":
                expect(page.get_by_text("Director briefs every shift on why we change", exact=True)).to_be_visible()
                page.get_by_role("button", name="+1").first.click()
                expect(page.locator(".cx-votes").first).to_have_text("1", timeout=RUN_TIMEOUT_MS)
                drawn(page)
            name = re.sub(r"[^a-z]+", "-", slug.lower()).strip("-")
            page.screenshot(
                path=SHOTS / f"workshop-fit-{width}x{height}-{number:02d}-{name}.png", animations="disabled"
            )
            measured.append((name, fits(page)))
            if number < 10:
                page.get_by_role("button", name="Next →").click()
        assert [name for name, _ in measured] == [
            "pulse", "heatmap", "barriers", "team-distribution-centre", "act-distribution-centre",
            "team-logistics-planning", "act-logistics-planning", "kotter", "champions", "actions",
        ]  # fmt: skip
        assert page.locator("[data-testid='stException']").count() == 0
        # What was measured, beside the pictures, for a person to read.
        (SHOTS / f"workshop-fit-{width}x{height}.json").write_text(json.dumps(dict(measured), indent=1))
        # The next day's reload of the link still lists what this session captured.
        database = store.open_db(demo_path)
        try:
            session = int(re.search(r"session=(\d+)", page.url).group(1))
            votes = database.execute("SELECT title, votes FROM actions WHERE session_id = ?", [session]).fetchall()
        finally:
            database.close()
        assert votes == [("Director briefs every shift on why we change", 1)]
