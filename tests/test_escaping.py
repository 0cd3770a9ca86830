"""No user text becomes HTML or a link on any page (issue 13): every page of the app, as the admin sees it, with
teams named as a script, a redirect and an address and an action titled with a script. The browser tests in
test_security.py drive the workshop, Team detail and the report; this sweeps every page's messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_security import IFRAME, IMAGE, LINK, META, hostile  # noqa: F401  (hostile is a fixture)

ROOT = Path(__file__).resolve().parent.parent
PAGES = re.findall(r'\("(app_pages/[^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
RAW_HTML = ("<iframe", "<meta", "<img", "<script")


def markdown_elements(at: AppTest) -> list:
    found = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "body"):  # markdown, captions and alerts all render markdown
            found.append(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


@pytest.mark.parametrize("page", PAGES)
def test_no_page_turns_a_name_or_title_into_html_or_a_link(page, hostile, demo_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if page.endswith("team_detail.py"):
        at.query_params["team"] = IFRAME
    at.switch_page(page).run()

    assert not at.exception
    elements = markdown_elements(at)
    assert elements, "the page wrote no markdown at all"
    for proto in elements:
        if getattr(proto, "allow_html", False):
            assert not [tag for tag in RAW_HTML if tag in proto.body], (page, proto.body[:200])
        assert LINK not in proto.body, (page, proto.body[:200])  # GFM would make the address a link
