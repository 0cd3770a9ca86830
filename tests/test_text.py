"""The shared words: plurals, blank cells, p-values, names and dates, each as every module writes them."""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxchange import text
from cxchange.text import html_text, markdown_text


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 teams"), (1, "1 team"), (2, "2 teams"), (np.int64(3), "3 teams")]
)
def test_plural_counts_its_noun(count, expected):
    assert text.plural(count, "team") == expected


def test_plural_takes_an_irregular_form_and_agree_picks_the_word():
    assert text.plural(1, "person", "people") == "1 person"
    assert text.plural(4, "person", "people") == "4 people"
    assert text.plural(2, "new team") == "2 new teams"
    assert [text.agree(n, "is", "are") for n in (0, 1, 2)] == ["are", "is", "are"]


@pytest.mark.parametrize(
    "value", [None, "", "   ", "\t\n", math.nan, np.nan, np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT")]
)
def test_blank_cells(value):
    assert text.blank(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "x", " x ", "0", dt.date(2026, 1, 1), pd.Timestamp("2026-01-01"), 3])
def test_cells_that_hold_something(value):
    assert not text.blank(value)


def test_a_refused_value_is_quoted_as_a_message_shows_it():
    assert [text.shown(value) for value in (None, " ", math.nan, 2.5, 3, "abc", True)] == [
        "(empty)",
        "(empty)",
        "(empty)",
        "2.5",
        "3",
        "'abc'",
        "'True'",
    ]


@pytest.mark.parametrize(
    ("p", "expected"), [(0.0004, "< 0.001"), (0.001, "= 0.001"), (0.0423, "= 0.042"), (1.0, "= 1.000")]
)
def test_p_values_as_words(p, expected):
    assert text.p_text(p) == expected


def test_names_and_headings_compare_loosely():
    assert text.name_key("  Stores   NORTH ") == text.name_key("stores north") == "stores north"
    assert text.name_key(math.nan) == text.name_key(None) == ""
    assert (
        text.heading_key("Complaint rate") == text.heading_key("complaint_rate") == text.heading_key("COMPLAINT-RATE")
    )
    assert text.heading_key(None) == ""


def test_dates_as_people_read_them():
    assert text.date_text("2026-10-25") == "25 Oct 2026"
    assert text.date_text(dt.date(2026, 1, 5)) == "5 Jan 2026"
    assert text.date_text(pd.Timestamp("2026-06-30")) == "30 Jun 2026"
    assert text.upper_first("step 6 is done") == "Step 6 is done"
    assert text.upper_first("") == ""


def test_text_imports_only_the_standard_library():
    tree = ast.parse(Path(text.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_markdown_text_leaves_no_markdown_link_html_or_icon():
    typed = "**[click](https://evil.example/)** <b>x</b> :red[y] :material/lock: # z\n\n- a"
    escaped = markdown_text(typed)
    # Every punctuation mark escaped; the lines made one.
    assert "\n" not in escaped
    assert re.search(r"(?<!\\)[*\[\]()<>:#`_-]", escaped.replace("\u2060", "")) is None
    assert escaped.replace("\u2060", "").replace("\\", "") == typed.replace("\n\n", " ")


@pytest.mark.parametrize("address", ["https://evil.example/", "HTTP://evil.example", "www.evil.x", "a@evil.x"])
def test_markdown_text_breaks_what_gfm_would_autolink(address):
    escaped = markdown_text(address).replace("\\", "")
    assert "\u2060" in escaped
    assert not re.search(r"https?://|www\.|@[\w-]", escaped, re.IGNORECASE)


def test_html_text_escapes_tags_and_quotes():
    assert html_text('<iframe srcdoc="x">\n&') == "&lt;iframe srcdoc=&quot;x&quot;&gt; &amp;"
