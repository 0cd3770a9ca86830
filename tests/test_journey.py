"""An HR partner's first weeks, in a real browser, from an empty workspace to a trend over two waves.

One journey, each step on what the step before left: the org file, an initiative and its wave, a reworded
Qualtrics export mapped with the suggestions and one fix in the grid, the heatmap, then an earlier wave's
Excel sheet imported afterwards (its accounting team spelt two ways) and the trend in date order. The
server, browser and waits are those of test_browser.py.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, ROOT, drawn, serving, settled
from test_browser import choose as choose_option

pytestmark = pytest.mark.browser
COMPANY = ROOT / "tests" / "fixtures" / "company"
STAY = "The new way of working is here to stay."
RE3 = "RE3 · I am confident the new way of working will last."


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[str]:
    """The app on a free port with CXCHANGE_DB naming a file that does not exist yet."""
    (tmp_path / "workspace").mkdir()
    with serving(tmp_path / "workspace" / "cxchange.db", tmp_path / "streamlit.log") as url:
        yield url


def shot(page: Page, name: str) -> None:
    """A picture of the whole page: Streamlit scrolls inside its main area, so the window is made as tall."""
    drawn(page)
    viewport = page.viewport_size
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        drawn(page)
    page.screenshot(path=ARTIFACTS / f"journey-{name}.png", full_page=True)
    page.set_viewport_size(viewport)
    assert page.get_by_test_id("stException").count() == 0, name


def go(page: Page, link: str, heading: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
    settled(page)


def tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    settled(page)


def metric(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def choose(page: Page, box, name: str) -> None:
    settled(page)
    choose_option(page, box, name, exact=True)


def upload_survey(page: Page, path: Path) -> None:
    # The Team-level results tab has an uploader of its own: take the survey export's.
    page.get_by_label("Survey export", exact=True).get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)


def pick_in_grid(page: Page, grid, cell: tuple[int, int], typed: str, option: str) -> None:
    """Choose `option` in a select cell (column, row) of a data editor, from the keyboard: click the grid's
    first cell, walk to the cell with the arrow keys, open its editor with Enter, type to filter the options
    and pick with Enter.

    The grid draws on a canvas; its accessible mirror names each cell glide-cell-<column>-<row> and marks
    the selected one (aria-selected). A key pressed while the grid is still taking the focus can be lost:
    each step is checked there, and taken again where the selection did not move.
    """
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)  # Streamlit's rows (and the header) are 35 px high
    selected = grid.locator("td[role='gridcell'][aria-selected='true']")
    expect(selected).to_have_attribute("id", "glide-cell-0-0")
    target = f"glide-cell-{cell[0]}-{cell[1]}"
    for _ in range(3 * sum(cell) + 3):
        now = selected.get_attribute("id")
        if now == target:
            break
        column, row = (int(part) for part in now.split("-")[2:])
        if column != cell[0]:
            page.keyboard.press("ArrowRight" if column < cell[0] else "ArrowLeft")
        else:
            page.keyboard.press("ArrowDown" if row < cell[1] else "ArrowUp")
        with contextlib.suppress(AssertionError):  # the key was lost: it is pressed again
            expect(selected).not_to_have_attribute("id", now, timeout=3_000)
    expect(selected).to_have_attribute("id", target)
    page.keyboard.press("Enter")
    expect(page.locator(".glide-select input[role='combobox']")).to_be_focused(timeout=10_000)
    page.keyboard.type(typed)
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    expect(grid.locator(f"#{target}")).to_have_text(option)


def add_wave(page: Page, name: str, opens: str) -> None:
    """Fill the New wave form: a name and its opening date (yyyy-mm-dd), typed as a keyboard user would."""
    form = page.get_by_test_id("stForm").filter(has_text="New wave")
    form.get_by_role("textbox", name="Name").fill(name)
    # The date box is three spin buttons (yyyy / mm / dd): typing the year's digits moves on to the month's.
    year, month, day = opens.split("-")
    form.get_by_role("spinbutton", name="year, Opens").click()
    page.keyboard.type(year + month + day)
    for part, value in (("year", year), ("month", month), ("day", day)):
        expect(form.get_by_role("spinbutton", name=f"{part}, Opens")).to_have_attribute(
            "aria-valuenow", str(int(value))
        )
    form.get_by_role("button", name="Add wave").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Added the wave {name}", timeout=30_000)
    settled(page)


def test_hr_partner_sets_up_an_empty_workspace_and_imports_two_waves(fresh_server: str, page: Page):
    page.goto(f"{fresh_server}/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible(timeout=60_000)
    settled(page)
    # A new workspace file gets the demo: start an empty one.
    tab(page, "Workspace")
    page.get_by_role("button", name="Start an empty workspace").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Start an empty workspace?")
    dialog.get_by_role("button", name="Yes, start empty").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Started an empty workspace", timeout=30_000)
    settled(page)
    expect(page.get_by_text("Demo data")).to_have_count(0)

    # 1. The organisation from the org file.
    tab(page, "Organisation")
    teams = page.get_by_test_id("stDataFrame").first
    # The grid's accessible mirror counts its rows: the header and the empty row for a new team.
    expect(teams.locator("table[aria-rowcount]")).to_have_attribute("aria-rowcount", "2")
    page.get_by_label("Org file").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(COMPANY / "org.csv")
    will_create = page.get_by_test_id("stMetric").filter(has_text="Will create").get_by_test_id("stMetricValue")
    expect(will_create).to_have_text("18", timeout=30_000)
    settled(page)
    shot(page, "1a-org-preview")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Imported org.csv", timeout=30_000)
    settled(page)
    expect(teams.locator("table[aria-rowcount]")).to_have_attribute("aria-rowcount", str(1 + 18 + 1))
    expect(teams.locator("#glide-cell-0-0")).to_have_text("Claims")  # teams by name
    expect(teams.locator("#glide-cell-1-1")).to_have_text("Claims")  # Claims Fraud's parent
    shot(page, "1b-org-applied")

    # 2. The initiative and its first wave.
    tab(page, "Initiatives & waves")
    expect(page.get_by_text("No initiative yet")).to_be_visible()
    page.get_by_role("textbox", name="Name").fill("Service programme")
    page.get_by_role("button", name="Add initiative").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Added the initiative Service programme", timeout=30_000
    )
    settled(page)
    add_wave(page, "2026 Q1", "2026-03-02")
    waves = page.get_by_test_id("stDataFrame").filter(has_text="Opens")
    expect(waves.locator("#glide-cell-0-0")).to_have_text("2026 Q1")
    expect(waves.locator("#glide-cell-1-0")).to_have_text("2026-03-02")
    shot(page, "2-initiative-and-wave")

    # 3. The reworded Qualtrics export: its team column chosen, the suggestions taken, one column fixed.
    go(page, "Import & entry", "Import & entry")
    upload_survey(page, COMPANY / "qualtrics_2026q1.csv")
    expect(page.get_by_text("No column of the file is recognised as the team column")).to_be_visible(timeout=30_000)
    settled(page)
    choose(page, page.get_by_role("combobox", name="Team column"), "Équipe / Service")
    use = page.get_by_role("button", name="Use the 15 suggestions")
    expect(use).to_be_visible(timeout=30_000)
    settled(page)
    use.click()
    expect(page.get_by_text("14 of 15 ADKAR items matched")).to_be_visible(timeout=30_000)
    settled(page)
    shot(page, "3a-suggestions-taken")
    columns = page.get_by_test_id("stDataFrame").first
    open_row = columns.locator("#glide-cell-0-14")
    # Choice is the grid's last column: its cell in the row of the open column, edited from the keyboard.
    expect(columns.locator("#glide-cell-0-0")).to_have_text(re.compile("I see why Harbour Mutual"))
    pick_in_grid(page, columns, (2, 14), "RE3 · I am", RE3)
    expect(open_row).to_have_text(STAY)
    expect(page.get_by_text("15 of 15 ADKAR items matched")).to_be_visible(timeout=30_000)
    settled(page)
    expect(columns.locator("#glide-cell-2-14")).to_have_text(RE3)
    expect(metric(page, "Complete responses")).to_have_text("418")
    shot(page, "3b-mapped")
    page.get_by_role("button", name="Import", exact=True).click()
    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("into wave 2026 Q1 of Service programme", timeout=60_000)
    expect(success).to_contain_text("418 complete responses")
    settled(page)
    shot(page, "3c-imported")

    # 4. The heatmap of the new wave, and a response rate on hovering a cell.
    go(page, "Readiness", "Readiness")
    expect(page.get_by_text("Wave: 2026 Q1 (the only one so far)")).to_be_visible()
    heatmap = page.get_by_test_id("stVegaLiteChart").first
    cells = heatmap.locator("svg g.mark-rect[class*='view_'] path")
    # 19 rows (all teams, the 5 parents' roll-ups, 13 teams), 3 of them grey: the others have a cell per element.
    expect(cells).to_have_count(16 * 5, timeout=60_000)
    drawn(page)
    motor = cells.and_(page.locator("[aria-label*='Element: Awareness;'][aria-label*='Motor Claims;']"))
    motor.hover(position={"x": 12, "y": 10})  # off the centre, where the cell's text sits
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible(timeout=10_000)
    expect(tooltip).to_contain_text("Motor Claims")
    rate = tooltip.locator("tr").filter(has_text="Response rate")
    expect(rate.locator("td").last).to_have_text("45% of 215")  # 96 of its 215 people
    shot(page, "4-readiness-heatmap")

    # 5. The wave before, added afterwards: an Excel sheet with the accounting team spelt two ways.
    go(page, "Settings", "Settings")
    tab(page, "Initiatives & waves")
    add_wave(page, "2025 Q3", "2025-09-08")
    waves = page.get_by_test_id("stDataFrame").filter(has_text="Opens")
    expect(waves.locator("#glide-cell-0-0")).to_have_text("2025 Q3")  # oldest first
    expect(waves.locator("#glide-cell-0-1")).to_have_text("2026 Q1")
    shot(page, "5a-earlier-wave")
    go(page, "Import & entry", "Import & entry")
    choose(page, page.get_by_role("combobox", name="Wave").first, "2025 Q3")
    upload_survey(page, COMPANY / "excel_2025q3.csv")
    # The team column chosen for the first file is known now: this file's is recognised with no choice.
    expect(page.get_by_role("combobox", name="Team column")).to_have_value("Équipe / Service", timeout=30_000)
    expect(page.get_by_text("No column of the file is recognised as the team column")).to_have_count(0)
    # The company's own wording is in the bank since the first import: every column matches by its text.
    expect(page.get_by_text("15 of 15 ADKAR items matched.")).to_be_visible(timeout=30_000)
    settled(page)
    expect(page.get_by_role("button", name=re.compile("^Use the"))).to_have_count(0)
    # The unaccented spelling waits for an answer; the capitals are the team already, as case does not count.
    teams = page.get_by_test_id("stDataFrame").nth(1)
    expect(teams.locator("#glide-cell-0-6")).to_have_text("Comptabilite")
    expect(teams.locator("#glide-cell-3-6")).to_have_text("looks like Comptabilité: choose")
    expect(teams.locator("#glide-cell-0-7")).to_have_text("COMPTABILITÉ")
    expect(teams.locator("#glide-cell-2-7")).to_have_text("Comptabilité")
    blocked = page.get_by_text("The team 'Comptabilite' in the file looks like 'Comptabilité' without being it")
    expect(blocked).to_be_visible()
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    shot(page, "5b-excel-preview")
    pick_in_grid(page, teams, (2, 6), "Comptabilité", "Comptabilité")
    expect(blocked).to_have_count(0, timeout=30_000)
    settled(page)
    expect(teams.locator("#glide-cell-2-6")).to_have_text("Comptabilité")
    expect(teams.locator("#glide-cell-2-7")).to_have_text("Comptabilité")
    expect(metric(page, "Complete responses")).to_have_text("295")
    shot(page, "5c-teams-resolved")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(success).to_contain_text("into wave 2025 Q3 of Service programme", timeout=60_000)
    expect(success).to_contain_text("295 complete responses")
    settled(page)
    shot(page, "5d-imported")

    # 6. The trend puts the waves in the order they opened, not the order they were imported.
    go(page, "Readiness", "Readiness")
    tab(page, "Trends")
    trend = page.get_by_test_id("stVegaLiteChart").filter(visible=True).filter(has_text="over waves")
    expect(trend).to_have_count(1, timeout=30_000)
    axis = trend.locator("svg .role-axis-label text").filter(has_text=re.compile(r"^\d{4} Q\d$"))
    expect(axis).to_have_count(2, timeout=30_000)
    labels = axis.evaluate_all("ns => ns.map(n => [n.textContent, n.getBoundingClientRect().left])")
    waves_left_to_right = [text for text, _ in sorted(labels, key=lambda label: label[1])]
    assert waves_left_to_right == ["2025 Q3", "2026 Q1"], labels
    # The marks' labels carry their data: the organisation's line starts at the earlier wave's 295 responses.
    organisation = trend.locator("svg g.mark-symbol path[aria-label*='Team: All teams;']")
    expect(organisation).to_have_count(2)
    first, second = (organisation.nth(i).get_attribute("aria-label") for i in range(2))
    assert first.startswith("Wave: 2025 Q3;"), first
    assert "Responses (n): 295" in first, first
    assert second.startswith("Wave: 2026 Q1;"), second
    assert "Responses (n): 418" in second, second
    shot(page, "6-trend")
