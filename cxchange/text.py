"""Words every module writes the same way: plurals, blank cells, p-values, names compared, dates.

Pure and standard-library only, so anyone may import it (model, settings and hierarchy too).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Iterable


def agree(count: int, one: str, many: str) -> str:
    """The word (or phrase) that agrees with `count`: `one` for exactly one, else `many` ("is"/"are")."""
    return one if count == 1 else many


def plural(count: int, word: str, many: str | None = None) -> str:
    """The count and its noun: "1 team", "3 teams", "0 teams"; `many` where the plural is not word + "s"."""
    return f"{int(count)} {agree(count, word, many or word + 's')}"


MISSING = "—"
"""What an empty cell reads in every table the app shows and every file it writes (exports.MISSING)."""


def blank(value: object) -> bool:
    """Whether a cell holds nothing: None, NaN, NaT, pandas' NA, only spaces, or MISSING (as our files write it)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in ("", MISSING)
    try:
        return bool(value != value)  # NaN and NaT (pandas' and numpy's) are the values unequal to themselves
    except TypeError:
        return True  # pandas' NA: its comparisons give NA, which is neither true nor false


def shown(value: object) -> str:
    """A refused cell as a message quotes it: "(empty)", a number as 2.5, anything else quoted ('abc')."""
    if blank(value):
        return "(empty)"
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else repr(str(value))


def points_text(delta: float) -> str:
    """A change on the 0–100 index, signed with a true minus: "+2.3 points", "−4.9 points"."""
    return f"{delta:+.1f}".replace("-", "−") + " points"


def p_text(p: float) -> str:
    """A p-value as a sentence gives it after "p": "< 0.001" below a thousandth, else "= 0.012"."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def name_key(text: object) -> str:
    """A name as compared: ignoring case and repeated spaces ("" for a blank cell)."""
    return "" if blank(text) else " ".join(str(text).split()).casefold()


def heading_key(text: object) -> str:
    """A column heading or measure name as compared: ignoring case, spaces, underscores and hyphens."""
    return "" if text is None else re.sub(r"[\s_\-]+", "", str(text)).casefold()


def date_text(day: str | dt.date) -> str:
    """A date as people read it: 25 Oct 2026 (from a date, a datetime, a Timestamp or ISO text)."""
    day = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    return f"{day.day} {day:%b %Y}"


def upper_first(text: str) -> str:
    """The text with its first letter made a capital, as a sentence starts; the rest as it is."""
    return text[:1].upper() + text[1:]


def rate_text(rate: object, headcount: object) -> str:
    """A response rate as people read it, a whole percent of the headcount ("62% of 40"); "" where there is none."""
    try:
        share, people = float(rate), float(headcount)  # None and pd.NA refuse: no rate
    except (TypeError, ValueError):
        return ""
    if math.isnan(share) or math.isnan(people):
        return ""
    return f"{share:.0%} of {people:,.0f}"


OVER_HEADCOUNT = "more responses than headcount"
"""The note beside a response rate above 100%: shown as it is, never clipped, and said why it can be."""


def response_rate_text(rate: object, headcount: object) -> str:
    """rate_text, with a note where more responded than the headcount counts ("112% of 40, more responses
    than headcount": the headcount is out of date, or people answered for a team they are not counted in)."""
    said = rate_text(rate, headcount)
    return f"{said}, {OVER_HEADCOUNT}" if said and float(rate) > 1 else said


NO_RATE = "–"
"""A chart's tooltip where there is no response rate (no headcount, a hidden team, a respondent group):
text, never null, which Vega-Lite would write as "null"."""


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets a backslash make each one plain text."""


def markdown_text(text: object) -> str:
    """User text (a team name, an action) made plain for Streamlit's markdown, on one line.

    Every punctuation mark is backslash-escaped, so nothing in it becomes a link, HTML, emphasis, a
    heading, an icon or a colour; runs of spaces and line breaks become one space. Escapes alone do not
    stop GFM's autolinks, which look for "https://", "www." and "@" in the text after escapes are read:
    an invisible word joiner (U+2060) after a scheme's ":" and every "@" and inside "www." breaks them.
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _AUTOLINK_START.sub(lambda found: found.group(0) + _JOINER, escaped)


_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"\\:(?=\\/\\/)|(?:(?i:(?<=mailto))|(?i:(?<=xmpp)))\\:|\\@|(?i:www)(?=\\\.)")
"""Where GFM's autolink literals start: a scheme's ":" before "//" (and mailto: and xmpp:), an address's "@",
"www" before its "." (a ":" elsewhere, as in "Owner: Hannah Reed", starts nothing and stays as typed)."""


def html_text(text: object) -> str:
    """User text made plain for HTML (quotes too, so it is safe in an attribute), on one line."""
    return html.escape(" ".join(str(text).split()), quote=True)


def message_markdown(text: object, lines: Iterable[object] = ()) -> str:
    """A message for Streamlit's markdown (an alert, a toast) whose words may quote what people typed or files
    named: every line of `text` escaped (markdown_text), its line breaks kept, then `lines` as a list under it.

    The only formatting is ours: the hard line breaks, the paragraph breaks and the list's bullets.
    """
    paragraphs = [
        "  \n".join(markdown_text(line) for line in paragraph.splitlines() if line.strip())
        for paragraph in re.split(r"\n\s*\n", str(text))
    ]
    said = "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
    bullets = "\n".join(f"- {markdown_text(line)}" for line in lines)
    return f"{said}\n\n{bullets}" if said and bullets else said or bullets
