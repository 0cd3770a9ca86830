"""The security review's findings, tried in a real browser against the real server: who can reach it, what
a hostile team name can do, what an error shows a visitor."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, serving, settled

pytestmark = pytest.mark.browser


def listening(port: int) -> list[str]:
    """The local addresses with a socket listening on `port`, from the kernel's own tables."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, _, state = line.split()[1:4]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                if len(address) == 8:
                    found.append(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.append(address)
    return found


def test_the_server_listens_on_this_computer_only_and_says_so(demo_path: Path, tmp_path: Path, page: Page):
    with serving(demo_path, tmp_path / "streamlit.log") as url:
        port = int(url.rsplit(":", 1)[1])
        assert listening(port) == ["127.0.0.1"]
        page.goto(url)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Local: only this computer can open it")).to_be_visible()
        settled(page)
        page.screenshot(path=ARTIFACTS / "local-only.png")
