"""Team names as people write them: one spelling per team, the names that only look alike, the names refused.

Pure: a name is compared by its `key` (Unicode NFKC, case and spacing ignored: "Stores  north" is
"Stores North"); two names with different keys whose `skeleton` is the same only look alike
(accents dropped, characters of other scripts read as the Latin letters they look like: "Stоres
North" with a Cyrillic о, "COMPTABILITÉ" and "Comptabilite"). Lookalikes are asked about, never
created or merged silently.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from confusable_homoglyphs import categories, confusables

MAX_LENGTH = 120
"""The longest team name accepted: longer ones are refused (they break reports and tables)."""


def tidy(name: object) -> str:
    """The name as stored: Unicode NFKC, runs of spaces (tabs, line breaks) made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", "" if name is None else str(name)).split())


def key(name: object) -> str:
    """The name as compared: tidied and case-folded; two names with one key are one team."""
    return tidy(name).casefold()


@lru_cache(maxsize=65_536)
def _skeleton(text: str) -> str:
    letters = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue  # accents: "é" reads as "e"
        if char.isalpha() and categories.alias(char) not in ("LATIN", "COMMON"):
            found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"]) or []
            glyphs = [glyph["c"] for entry in found for glyph in entry["homoglyphs"]]
            char = glyphs[0] if glyphs else char
        letters.append(char)
    return "".join(char for char in "".join(letters).casefold() if char.isalnum())


def skeleton(name: object) -> str:
    """What a name looks like: accents, case, spaces and punctuation dropped, lookalike letters made Latin."""
    return _skeleton(key(name))


def lookalikes(name: object, names: Iterable[str]) -> list[str]:
    """Those of `names` that look like `name` without being it (another key, the same skeleton)."""
    own, shape = key(name), skeleton(name)
    return [other for other in names if key(other) != own and skeleton(other) == shape]


def refusal(name: object) -> str | None:
    """Why a team name cannot be used (one sentence), or None where it can."""
    tidied = tidy(name)
    if not tidied:
        return "A team needs a name."
    if len(tidied) > MAX_LENGTH:
        return f"A team name may have at most {MAX_LENGTH} characters; {tidied[:40]!r}… has {len(tidied)}."
    if any(unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs") for char in tidied):
        return f"The team name {tidied!r} holds invisible control characters: type it again."
    return None
