"""The Reports page in a real browser: how long after a click on each report button the download is offered.

Usage: python bench/report_page_bench.py [--db PATH] [--rounds 1]
Starts the app (python -m streamlit run app.py) on a free port over a copy of the demo (or of --db), opens the
Reports page in a fresh Chromium, waits for the page to finish its run, then clicks HTML, PDF and PPTX in
turn, timing each from the click to the browser's download event (first of each format: nothing cached yet
but what the page itself drew). With --rounds 2 a new server and browser repeat it, so a figure is not a fluke.
Prints seconds per click and the page's own load time. A benchmark, run by hand: no limit is asserted here.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxchange import services, store  # noqa: E402
from tests.test_browser import serving, settled  # noqa: E402

BUTTONS = {"html": "HTML report", "pdf": "PDF report", "pptx": "PowerPoint deck (PPTX)"}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip


def one_round(db_path: Path, folder: Path) -> dict[str, float]:
    """Seconds for the page to load and for each report's download, on a fresh server and browser."""
    times: dict[str, float] = {}
    with serving(db_path, folder / "streamlit.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(accept_downloads=True).new_page()
            started = time.perf_counter()
            page.goto(f"{url}/reports")
            expect(page.get_by_role("button", name=BUTTONS["html"])).to_be_visible(timeout=120_000)
            settled(page)
            times["page load (until every chart is drawn)"] = time.perf_counter() - started
            for kind, label in BUTTONS.items():
                button = page.get_by_role("button", name=label)
                clicked = time.perf_counter()
                with page.expect_download(timeout=180_000) as download:
                    button.click()
                times[f"{kind}: click to download"] = time.perf_counter() - clicked
                download.value.save_as(folder / f"report.{kind}")
        finally:
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing workspace to copy (default: a fresh demo)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="report-page-bench-"))
    rows: dict[str, list[float]] = {}
    for round_number in range(args.rounds):
        db_path = folder / f"demo-{round_number}.db"
        if args.db is None:
            services.write_demo(store.open_db(db_path))
        else:
            shutil.copy(args.db, db_path)
        for name, seconds in one_round(db_path, folder).items():
            rows.setdefault(name, []).append(seconds)
    print(f"Reports page, demo organisation (Customer First, its latest wave); {args.rounds} round(s), cold server.")
    print(f"{'what':44} " + " ".join(f"{'round ' + str(i + 1):>8}" for i in range(args.rounds)))
    for name, values in rows.items():
        print(f"{name:44} " + " ".join(f"{value:8.2f}" for value in values))


if __name__ == "__main__":
    main()
