"""The team tree: hierarchy order, subtrees and what a hidden figure says. Pure, imported by anyone."""

from __future__ import annotations

import pandas as pd

ORGANISATION = 0
"""The team id standing for the whole organisation in roll-ups (real team ids start at 1)."""

ORGANISATION_LABEL = "All teams"


def suppression_text(suppression: str, min_n: int) -> str:
    """What a hidden figure says instead of a number ("hidden": withheld so a smaller group stays hidden)."""
    if suppression == "primary":
        return f"fewer than {min_n}"
    if suppression == "complementary":
        return "hidden"
    return ""


def team_tree(teams: pd.DataFrame) -> pd.DataFrame:
    """Teams in hierarchy order (parents before their children, siblings by name), with depth.

    The organisation comes first as team_id 0 with depth 0; top-level teams have depth 1.
    """
    children: dict[int, list[tuple[str, int]]] = {}
    for team_id, name, parent_id in zip(teams["id"], teams["name"], teams["parent_id"], strict=True):
        parent = ORGANISATION if pd.isna(parent_id) else int(parent_id)
        children.setdefault(parent, []).append((name, int(team_id)))
    rows = [{"team_id": ORGANISATION, "team": ORGANISATION_LABEL, "parent_id": None, "depth": 0}]

    def visit(parent: int, depth: int) -> None:
        for name, team_id in sorted(children.get(parent, [])):
            rows.append({"team_id": team_id, "team": name, "parent_id": parent, "depth": depth})
            visit(team_id, depth + 1)

    visit(ORGANISATION, 1)
    tree = pd.DataFrame(rows)
    tree["order"] = range(len(tree))
    tree["has_children"] = tree["team_id"].isin(tree["parent_id"].dropna().astype(int))
    return tree


def subtree_members(teams: pd.DataFrame) -> pd.DataFrame:
    """Every (ancestor_id, team_id) pair where team_id is in ancestor_id's subtree, itself included.

    The organisation (ORGANISATION) is the ancestor of every team.
    """
    parent = dict(zip(teams["id"], teams["parent_id"], strict=True))
    pairs = []
    for team_id in teams["id"]:
        pairs.append((ORGANISATION, team_id))
        node = team_id
        seen = set()
        while node is not None and not pd.isna(node) and node not in seen:
            seen.add(node)
            pairs.append((int(node), team_id))
            node = parent.get(node)
    return pd.DataFrame(pairs, columns=["ancestor_id", "team_id"])


def subtree_ids(teams: pd.DataFrame, root: int) -> set[int]:
    """The team ids of `root`'s subtree, itself included (the organisation's: every team and itself)."""
    members = subtree_members(teams)
    return {root, *members.loc[members["ancestor_id"] == root, "team_id"].astype(int)}


def subtree_headcount(teams: pd.DataFrame) -> pd.DataFrame:
    """Each team's headcount over its subtree, and the organisation's: the sum over the teams in it that have one.

    teams.headcount counts the people of the team itself, so a parent holds its own people and every
    team's below it. Returns one row per team and the organisation: team_id, headcount (NaN where no
    team of the subtree has one) and without_headcount (frozenset of the subtree's team ids that have none),
    so a caller can decide whether a sum that leaves some teams out still means what it needs.
    """
    members = subtree_members(teams)
    own = dict(zip(teams["id"].astype(int), teams["headcount"].astype(float), strict=True))
    members["headcount"] = members["team_id"].map(own)
    known = members["headcount"].notna()
    ids = pd.Index([ORGANISATION, *teams["id"].astype(int)], name="team_id")
    summed = members[known].groupby("ancestor_id")["headcount"].sum().reindex(ids)
    missing = members[~known].groupby("ancestor_id")["team_id"].agg(lambda part: frozenset(part.astype(int)))
    return pd.DataFrame(
        {
            "team_id": ids,
            "headcount": summed.to_numpy(float),
            "without_headcount": [missing.get(team, frozenset()) for team in ids],
        }
    )
