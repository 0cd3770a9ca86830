"""The team tree: hierarchy order, subtrees and what a hidden figure says. Pure, imported by anyone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
    tree = Tree.of(teams)
    ancestors, nodes = tree.pairs()
    is_team = nodes > 0
    return pd.DataFrame({"ancestor_id": tree.ids[ancestors[is_team]], "team_id": tree.ids[nodes[is_team]]})


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


@dataclass(frozen=True)
class Tree:
    """The team tree as arrays, for work done on every team of many waves at once.

    `ids` holds the node ids, the organisation first, parents before their children; `parent` each
    node's parent as a position in `ids` (-1 for the organisation); `levels` the positions of the
    nodes at each depth, the organisation's level first. Per-node figures are arrays whose first
    axis follows `ids`; a walk up the tree goes through `levels` from the deepest, so the cost grows
    with teams times depth, never with pairs of teams.
    """

    ids: np.ndarray
    parent: np.ndarray
    levels: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, teams: pd.DataFrame) -> Tree:
        """The tree of `teams` (id, parent_id) under the organisation. A team whose parent is not a team, or
        whose parents run round in a circle (never reaching the top), hangs under the organisation."""
        ids = np.concatenate([[ORGANISATION], teams["id"].to_numpy(np.int64)])
        lookup = np.full(int(ids.max()) + 1, 0, dtype=np.int64)
        lookup[ids] = np.arange(len(ids))
        parent_ids = pd.to_numeric(teams["parent_id"], errors="coerce").fillna(ORGANISATION).to_numpy(np.int64)
        known = (parent_ids >= 0) & (parent_ids < len(lookup)) & np.isin(parent_ids, ids)
        parent = np.concatenate([[-1], np.where(known, lookup[parent_ids.clip(0, len(lookup) - 1)], 0)])
        depth, node = np.zeros(len(ids), dtype=np.int64), parent.copy()
        for _ in range(len(ids)):
            climbing = node > 0
            if not climbing.any():
                break
            depth += climbing
            node[climbing] = parent[node[climbing]]
        circled = node > 0  # still climbing after as many steps as there are teams
        if circled.any():
            return cls.of(teams.assign(parent_id=np.where(circled[1:], np.nan, teams["parent_id"])))
        depth[0] = -1
        order = np.argsort(depth, kind="stable")
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        parent = np.where(parent[order] >= 0, position[parent[order].clip(0)], -1)
        depths = depth[order]
        cuts = np.flatnonzero(np.diff(depths)) + 1
        return cls(ids[order], parent, tuple(np.split(np.arange(len(order)), cuts)))

    def positions(self, ids: object) -> np.ndarray:
        """The position in `ids` of each team id given."""
        lookup = np.full(int(self.ids.max()) + 1, -1, dtype=np.int64)
        lookup[self.ids] = np.arange(len(self.ids))
        return lookup[np.asarray(ids, dtype=np.int64)]

    def subtree_sum(self, values: np.ndarray) -> np.ndarray:
        """Per node, the sum of `values` over its subtree, itself included (the organisation's: everyone's)."""
        total = values.copy()
        for level in reversed(self.levels[1:]):
            np.add.at(total, self.parent[level], total[level])
        return total

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (ancestor, node) pair of positions where the node is in the ancestor's subtree, itself included."""
        ancestors, nodes = [np.arange(len(self.ids))], [np.arange(len(self.ids))]
        climbing = self.parent.copy()
        while (climbing >= 0).any():
            up = climbing >= 0
            ancestors.append(climbing[up])
            nodes.append(np.flatnonzero(up))
            climbing = np.where(up, self.parent[climbing.clip(0)], -1)
        return np.concatenate(ancestors), np.concatenate(nodes)

    def children_sum(self, values: np.ndarray) -> np.ndarray:
        """Per node, the sum of `values` over its children (not deeper): subtree sums less this gives own parts."""
        total = np.zeros_like(values)
        below = np.concatenate(self.levels[1:]) if len(self.levels) > 1 else np.zeros(0, dtype=np.int64)
        np.add.at(total, self.parent[below], values[below])
        return total
