"""Reporting-tree shapes for the power-map layout benchmark (deterministic for a seed).

Every shape has ``n`` people and the same kind of informal ties (INFLUENCES between two
people drawn uniformly, ``ties_per_person`` of them per person on average) plus our team of
three, each knowing a handful of people; only the reporting tree differs:

* ``flat``: the generated accounts' tree (spans 4-8, breadth first: 5-6 rows at 2,000);
* ``deep``: each person reports to one of the previous 50 (about 80 rows at 2,000);
* ``chain``: each person reports to the previous one (a row per person);
* ``star``: everyone reports to the first person (one row of ``n - 1``);
* ``dense``: the flat tree with 10 ties per person.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["SHAPES", "shape"]

SHAPES = ("flat", "deep", "chain", "star", "dense")
TEAM = [("Anna Weber", "Account Executive"), ("Ben Okafor", "Solutions Engineer"),
        ("Clara Rossi", "Customer Success Manager")]  # fmt: skip


def _parents(kind: str, n: int, rng: random.Random) -> list[int]:
    if kind in ("flat", "dense"):
        parent = [-1]
        queue, head = [0], 0
        while len(parent) < n:
            manager = queue[head]
            head += 1
            for _ in range(rng.randint(4, 8)):
                if len(parent) >= n:
                    break
                queue.append(len(parent))
                parent.append(manager)
        return parent
    if kind == "deep":
        return [-1] + [rng.randrange(max(0, i - 50), i) for i in range(1, n)]
    if kind == "chain":
        return list(range(-1, n - 1))
    if kind == "star":
        return [-1] + [0] * (n - 1)
    raise ValueError(f"unknown shape {kind!r}")


def shape(
    kind: str, n: int, seed: int = 0, *, ties_per_person: float | None = None
) -> dict[str, Any]:
    """An import body (BRIEF §4) of ``n`` people in the given tree shape.

    >>> body = shape("deep", 100, seed=1)
    >>> len(body["people"]), len(body["team"]), body["people"][1]["reports_to"]
    (100, 3, 'p0')
    """
    rng = random.Random(seed)
    per_person = (
        ties_per_person if ties_per_person is not None else (10.0 if kind == "dense" else 1.5)
    )
    parent = _parents(kind, n, rng)
    people: list[dict[str, Any]] = []
    for i in range(n):
        person: dict[str, Any] = {
            "ref": f"p{i}",
            "name": f"Person {i}",
            "title": "Chief Executive Officer" if i == 0 else f"Role {i % 17}",
            "department": f"Dept {i % 7}",
            "roles": ["decision_maker", "economic_buyer"] if i == 0 else [],
            "stance": rng.choice(["neutral", "neutral", "supporter", "skeptic"]),
            "influence": rng.randint(1, 5),
        }
        if parent[i] >= 0:
            person["reports_to"] = f"p{parent[i]}"
        people.append(person)
    relationships: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    wanted = int(per_person * n) if n > 1 else 0
    while len(relationships) < wanted:
        i, j = rng.randrange(n), rng.randrange(n)
        if i == j or (i, j) in seen or (j, i) in seen:
            continue
        seen.add((i, j))
        relationships.append(
            {"type": "INFLUENCES", "source": f"p{i}", "target": f"p{j}",
             "strength": round(rng.uniform(0.2, 0.95), 2)}
        )  # fmt: skip
    team = [{"ref": f"t{k}", "name": name, "title": title} for k, (name, title) in enumerate(TEAM)]
    for k in range(len(TEAM)):
        for contact in rng.sample(range(n), min(n, 5)):
            relationships.append(
                {"type": "KNOWS", "source": f"t{k}", "target": f"p{contact}",
                 "strength": round(rng.uniform(0.3, 0.95), 2),
                 "last_contact": "2026-01-01", "channel": "meeting"}
            )  # fmt: skip
    return {"people": people, "team": team, "relationships": relationships}
