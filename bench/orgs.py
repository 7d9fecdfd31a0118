"""Realistic generated accounts for the benchmarks (deterministic for a given seed).

An account of ``n`` people is a reporting tree whose managers have spans of 4-8 (a CEO, the
C-level, VPs, directors, managers, individual contributors), buying roles concentrated at
the top, stances mostly neutral, declared influence falling with depth, and informal ties:
every person starts 1-3 INFLUENCES or KNOWS ties, mostly to peers and nearby superiors in
the same part of the tree, sometimes across it (so each person ends up with 2-4 of them on
average, plus the reporting line). Our team is three account people who know a handful of
contacts each, mostly in the middle of the tree, with strengths and contact dates spread
out. The result is a BRIEF §4 import body.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from schemas.imports import ImportRequest

__all__ = ["TEAM_SIZE", "account", "account_request"]

TEAM_SIZE = 3

TITLES = [
    "Chief Executive Officer",
    "Chief {dept} Officer",
    "VP {dept}",
    "Director of {dept}",
    "{dept} Manager",
    "{dept} Specialist",
]
SENIORITY = ["executive", "executive", "vp", "director", "manager", "individual"]
DEPARTMENTS = ["Finance", "Operations", "Technology", "Procurement", "Sales", "People", "Legal"]
STANCES = ["neutral"] * 10 + ["supporter"] * 4 + ["champion"] * 2 + ["skeptic"] * 3 + ["opponent"]
LOW_ROLES = ["user_buyer", "evaluator", "influencer", "gatekeeper", "technical_buyer", "coach"]
TEAM = [("Anna Weber", "Account Executive"), ("Ben Okafor", "Solutions Engineer"),
        ("Clara Rossi", "Customer Success Manager")]  # fmt: skip
FIRST = ["Aiko", "Bruno", "Chen", "Dara", "Emil", "Fatima", "Gus", "Hana", "Igor", "Jonas",
         "Kira", "Luis", "Mira", "Nils", "Olga", "Paul", "Rhea", "Sami", "Tess", "Uma"]  # fmt: skip
LAST = ["Berg", "Costa", "Demir", "Ek", "Fox", "Grant", "Haas", "Ito", "Jung", "Kaur", "Lind",
        "Moreau", "Novak", "Ortiz", "Park", "Quinn", "Rao", "Silva", "Toth", "Vogel"]  # fmt: skip


def account(
    n: int, seed: int = 0, *, today: date | None = None, team_ids: Sequence[str] = ()
) -> dict[str, Any]:
    """An import body (plain JSON-ready dict) for an account of ``n`` people.

    Our three account people are new team members (refs ``t0``-``t2``), or, with
    ``team_ids``, three of these existing team members (a tenant's team is shared by all its
    accounts).

    >>> body = account(50, seed=1, today=date(2026, 1, 1))
    >>> len(body["people"]), len(body["team"]), body["people"][0]["title"]
    (50, 3, 'Chief Executive Officer')
    >>> account(50, seed=1, today=date(2026, 1, 1)) == body
    True
    """
    if n < 1:
        raise ValueError("an account has at least one person")
    rng = random.Random(seed)
    today = today or date.today()
    parent: list[int] = [-1]
    depth: list[int] = [0]
    dept: list[str] = ["Executive"]
    children: list[list[int]] = [[]]
    queue = [0]
    head = 0
    while len(parent) < n:
        manager = queue[head]
        head += 1
        for _ in range(rng.randint(4, 8)):
            if len(parent) >= n:
                break
            child = len(parent)
            parent.append(manager)
            depth.append(depth[manager] + 1)
            dept.append(rng.choice(DEPARTMENTS) if manager == 0 else dept[manager])
            children.append([])
            children[manager].append(child)
            queue.append(child)

    people: list[dict[str, Any]] = []
    for i in range(n):
        level = min(depth[i], len(TITLES) - 1)
        roles: list[str] = []
        if i == 0:
            roles = ["decision_maker", "economic_buyer"]
        elif level == 1:
            roles = rng.choice([["economic_buyer"], ["executive_sponsor"], ["technical_buyer"], []])
        elif rng.random() < 0.15:
            roles = [rng.choice(LOW_ROLES)]
        declared = min(5, max(1, 5 - level + rng.choice([-1, 0, 0, 1])))
        person: dict[str, Any] = {
            "ref": f"p{i}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
            "title": TITLES[level].format(dept=dept[i]),
            "department": dept[i],
            "seniority": SENIORITY[level],
            "roles": roles,
            "stance": rng.choice(STANCES),
            "influence": declared if rng.random() < 0.8 else None,
        }
        if parent[i] >= 0:
            person["reports_to"] = f"p{parent[i]}"
        people.append(person)

    def nearby(i: int) -> int:
        """A peer, a superior or someone in the same part of the tree; sometimes anyone."""
        roll = rng.random()
        if roll < 0.2 or parent[i] < 0:
            return rng.randrange(n)
        boss = parent[i]
        if roll < 0.55:
            return rng.choice(children[boss])  # a peer (may be i itself: skipped)
        if roll < 0.75 and parent[boss] >= 0:
            return rng.choice(children[parent[boss]])  # the boss's peers
        if roll < 0.85:
            return parent[boss] if parent[boss] >= 0 else boss
        return rng.randrange(max(0, i - 40), min(n, i + 40))

    relationships: list[dict[str, Any]] = []
    influences: set[tuple[int, int]] = set()
    knows: set[tuple[int, int]] = set()
    for i in range(n):
        for _ in range(rng.randint(1, 3)):
            j = nearby(i)
            if j == i:
                continue
            if rng.random() < 0.5:
                if (i, j) in influences or (j, i) in influences:
                    continue
                influences.add((i, j))
                strength = round(rng.uniform(0.2, 0.95), 2) if rng.random() < 0.9 else None
                relationships.append(
                    {"type": "INFLUENCES", "source": f"p{i}", "target": f"p{j}",
                     "strength": strength}
                )  # fmt: skip
            else:
                pair = (min(i, j), max(i, j))
                if pair in knows:
                    continue
                knows.add(pair)
                relationships.append(
                    {"type": "KNOWS", "source": f"p{pair[0]}", "target": f"p{pair[1]}",
                     "strength": round(rng.uniform(0.3, 0.9), 2)}
                )  # fmt: skip

    team = [{"ref": f"t{k}", "name": name, "title": title} for k, (name, title) in enumerate(TEAM)]
    members = [f"t{k}" for k in range(TEAM_SIZE)]
    if team_ids:
        team, members = [], rng.sample(list(team_ids), min(TEAM_SIZE, len(team_ids)))
    middle = [i for i in range(n) if 2 <= depth[i] <= 4] or list(range(n))
    for member in members:
        contacts = min(len(middle), rng.randint(3, 6) + n // 200)
        for contact in rng.sample(middle, contacts):
            last = today - timedelta(days=rng.randint(3, 400))
            relationships.append(
                {"type": "KNOWS", "source": member, "target": f"p{contact}",
                 "strength": round(rng.uniform(0.3, 0.95), 2),
                 "last_contact": last.isoformat(), "channel": "meeting"}
            )  # fmt: skip
    return {"people": people, "team": team, "relationships": relationships}


def account_request(
    n: int, seed: int = 0, *, today: date | None = None, team_ids: Sequence[str] = ()
) -> ImportRequest:
    """:func:`account` as a validated :class:`~schemas.imports.ImportRequest`."""
    return ImportRequest.model_validate(account(n, seed, today=today, team_ids=team_ids))
