"""Matching a survey file's columns and answers to the question bank and the scale."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from cxchange.model import SCALE_MAX, SCALE_MIN, SCALE_VARIANTS

# British and American spellings (and a few common variants) compare equal.
SPELLINGS: dict[str, str] = {
    "programme": "program",
    "programmes": "programs",
    "practise": "practice",
    "practising": "practicing",
    "recognised": "recognized",
    "recognise": "recognize",
    "organisation": "organization",
    "organisations": "organizations",
    "behaviours": "behaviors",
    "behaviour": "behavior",
    "centre": "center",
    "colour": "color",
    "prioritise": "prioritize",
    "realise": "realize",
    "favour": "favor",
}

TEAM_HEADERS = re.compile(
    r"^(team|teams|department|dept|your team|team name|business unit|unit|division|"
    r"(which|what) (team|department|unit|business unit)\b.*|in which (team|department)\b.*)$"
)

NOT_APPLICABLE = {"n/a", "na", "not applicable", "don't know", "dont know", "do not know", "prefer not to say"}


def normalise(text: object) -> str:
    """Text reduced to what matters for matching: case, accents' forms, punctuation, spacing, spelling."""
    value = unicodedata.normalize("NFKC", str(text)).lower()
    value = value.replace("\u2019", "'").replace("\u2018", "'")
    value = re.sub(r"[^\w\s]", " ", value)
    words = [SPELLINGS.get(word, word) for word in value.split()]
    return " ".join(words)


def candidates(header: str) -> list[str]:
    """The texts a column header may carry an item's wording in, most specific last.

    Tools write matrix statements as "Question - Statement" (Qualtrics), "Question [Statement]"
    (Google Forms) or "Question.Statement" (some Microsoft Forms exports).
    """
    header = str(header).strip()
    found = [header]
    bracket = re.search(r"\[([^\[\]]+)\]\s*$", header)
    if bracket:
        found.append(bracket.group(1))
    if " - " in header:
        found.append(header.rsplit(" - ", 1)[1])
    return [text.strip() for text in found if text.strip()]


def statement(header: str) -> str:
    """The most specific wording a header carries: a matrix column's statement, else the header itself."""
    return candidates(header)[-1] if str(header).strip() else ""


SUGGESTION_FLOOR = 55.0
"""Below this similarity (0–100) a bank item is no suggestion for a column: the wordings share too little."""


def suggest(texts: Mapping[str, str], bank: Mapping[str, str], floor: float = SUGGESTION_FLOOR) -> dict:
    """For each column (header -> its statement), the most similar bank wording's item and the score (0–100).

    `bank` maps wordings (items' texts and their aliases) to item codes. Scored with rapidfuzz's
    token_set_ratio on normalised statements (the question stem cut off): rewordings keep an item's key
    words in another order and add or drop a few ("My line manager backs the customer programme" ranks DE3
    first at 71), and an unrelated question shares too few to pass the floor ("How long have you worked
    here?" 48). WRatio was tried and rejected: its partial comparison scores any one shared word such as "how"
    86, so every question got AW1. Never applied on its own: the user (or a mapping) chooses.
    """
    choices = {text: normalise(text) for text in bank}
    found = {}
    for header, text in texts.items():
        best = process.extractOne(normalise(text), choices, scorer=fuzz.token_set_ratio, score_cutoff=floor)
        if best is not None:
            found[header] = (bank[best[2]], round(float(best[1]), 1))
    return found


@dataclass(frozen=True)
class ColumnMatch:
    """How one file column was matched to an item: "exact", "normalised", "mapping" or "new item"."""

    column: int
    header: str
    item_code: str
    how: str


def match_columns(
    headers: list[str],
    items: Mapping[str, str],
    mapping: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    skip: Iterable[int] = (),
) -> list[ColumnMatch]:
    """Match file columns to items (code -> text): the user's mapping, else exact text, else normalised text,
    the items' own wording first and then their aliases (other wordings, text -> code).

    `mapping` maps a header (as in the file) to an item code; columns in `skip` (metadata, those the user
    said are no item) match nothing. Each item matches one column at most: the first that claims it.
    """
    wordings = [(text, code) for code, text in items.items()] + list((aliases or {}).items())
    exact, normal = {}, {}
    for text, code in wordings:
        exact.setdefault(str(text).strip(), code)
        normal.setdefault(normalise(text), code)
    by_header = {str(key).strip(): code for key, code in (mapping or {}).items()}
    skip = set(skip)
    matches, taken = [], set()
    for column, header in enumerate(headers):
        found = None
        if column in skip:
            continue
        if str(header).strip() in by_header:
            found = (by_header[str(header).strip()], "mapping")
        else:
            texts = candidates(header)
            found = next(((exact[t], "exact") for t in texts if t in exact), None) or next(
                ((normal[normalise(t)], "normalised") for t in texts if normalise(t) in normal), None
            )
        if found and found[0] in items and found[0] not in taken:
            taken.add(found[0])
            matches.append(ColumnMatch(column, str(header), found[0], found[1]))
    return matches


def find_team_column(headers: list[str], chosen: str | None = None, skip: Iterable[int] = ()) -> int | None:
    """The team column: the one the user named (header or id), else the first with a team-like header
    (never one of the columns in `skip`, the tool's metadata)."""
    if chosen is not None:
        wanted = normalise(chosen)
        return next((i for i, header in enumerate(headers) if normalise(header) == wanted), None)
    skip = set(skip)
    return next(
        (i for i, header in enumerate(headers) if i not in skip and TEAM_HEADERS.match(normalise(header))), None
    )


@dataclass(frozen=True)
class Answer:
    """One cell read as an answer: a value on the scale, missing, or a problem to report."""

    value: int | None
    problem: str | None = None  # "out of scale", "not applicable" or "unknown label"


_NUMBER_FIRST = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(?:[-–:=.)]\s*(.*))?$")


def read_answer(cell: object, labels: Mapping[str, int] | None = None) -> Answer:
    """Read a cell as an answer on the 1–5 scale.

    Numbers and "5 - Strongly agree" read as their number; labels map ignoring case and surrounding
    space, through the user's `labels` and then the scale's common variants. Blank cells are
    missing; "Don't know" and "N/A" are missing and "not applicable"; numbers off the scale are
    "out of scale"; other text is an "unknown label" the user must map.
    """
    if cell is None:
        return Answer(None)
    if isinstance(cell, bool):
        return Answer(None, "unknown label")
    if isinstance(cell, int | float):
        if cell != cell:  # NaN
            return Answer(None)
        return _on_scale(float(cell))
    text = str(cell).strip()
    if not text:
        return Answer(None)
    key = " ".join(text.lower().split())
    user = {" ".join(str(k).lower().split()): v for k, v in (labels or {}).items()}
    if key in user:
        return _on_scale(float(user[key])) if user[key] is not None else Answer(None)
    if key in SCALE_VARIANTS:
        return Answer(SCALE_VARIANTS[key])
    if key in NOT_APPLICABLE:
        return Answer(None, "not applicable")
    number = _NUMBER_FIRST.match(text)
    if number:
        value = float(number.group(1).replace(",", "."))
        rest = (number.group(2) or "").strip().lower()
        if rest and rest in SCALE_VARIANTS and SCALE_VARIANTS[rest] != value:
            return Answer(None, "unknown label")
        return _on_scale(value)
    return Answer(None, "unknown label")


def _on_scale(value: float) -> Answer:
    if value.is_integer() and SCALE_MIN <= value <= SCALE_MAX:
        return Answer(int(value))
    return Answer(None, "out of scale")


def unknown_labels(cells: Iterable[object], labels: Mapping[str, int] | None = None) -> list[str]:
    """Distinct texts among `cells` that are not on the scale and not mapped, in first-seen order."""
    seen: dict[str, None] = {}
    for cell in cells:
        if read_answer(cell, labels).problem == "unknown label":
            seen.setdefault(str(cell).strip(), None)
    return list(seen)
