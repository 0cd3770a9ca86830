"""The app's team and barrier colours: pure, no chart library, so a file that only needs a colour (the PPTX deck)
loads no Altair. charts.py draws with them and re-exports them."""

from __future__ import annotations

import pandas as pd

from cxchange.hierarchy import ORGANISATION

BARRIER_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#8e7cc3", "#5dade2", "#d9d9d9")
"""Barrier points in ADKAR order, then "no barrier" in grey."""

TEAM_PALETTE: tuple[str, ...] = (
    "#000000",  # black: the whole organisation ("All teams")
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#009e73",  # bluish green
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
    "#56b4e9",  # sky blue
    "#f0e442",  # yellow, last: the faintest on white
)
"""Okabe and Ito's eight colours, told apart with every common colour-vision deficiency (tests/test_colours.py)."""
ORGANISATION_COLOUR = TEAM_PALETTE[0]
OTHER_TEAMS_GREY = "#c4c4c4"
"""Lines of the teams not highlighted: present for comparison, never competing with the one chosen."""


def team_colours(teams: pd.DataFrame) -> dict[int, str]:
    """One colour per team id, the same on every page, filter and file: a pure function of the whole organisation.

    `teams` are the workspace's teams (id, parent_id; archived ones too, whoever looks, so a scope or a
    filter never moves a colour). The organisation is black; a team's children take the other colours
    in the order they were created (by id, so a new or renamed team moves no one else's), skipping black
    and their parent's colour, so a parent's line and its children's lines always differ. Beyond the
    six or seven colours siblings have, colours repeat: readiness_trend then labels every line at its end.
    """
    children: dict[int, list[int]] = {}
    for team_id, parent_id in zip(teams["id"], teams["parent_id"], strict=True):
        parent = ORGANISATION if pd.isna(parent_id) else int(parent_id)
        children.setdefault(parent, []).append(int(team_id))
    colours = {ORGANISATION: ORGANISATION_COLOUR}
    stack = [ORGANISATION]
    while stack:
        parent = stack.pop()
        free = [colour for colour in TEAM_PALETTE[1:] if colour != colours[parent]]
        for position, child in enumerate(sorted(children.get(parent, []))):
            if child in colours:  # a cycle in a damaged file: keep the first colour
                continue
            colours[child] = free[position % len(free)]
            stack.append(child)
    return colours
