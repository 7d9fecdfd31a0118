"""Two real organisations as import request bodies (BRIEF §4), read from ``shared/data``.

* :func:`krackhardt_request` -- Krackhardt (1987), the 21 managers of a high-tech firm:
  ``reports_to`` becomes REPORTS_TO (a tree under manager 7, the CEO), "ego asks alter for
  advice" becomes ``alter INFLUENCES ego`` and friendship becomes one KNOWS tie per pair.
* :func:`lazega_request` -- Lazega (2001), the 71 attorneys of a law firm (no reporting
  line): advice becomes INFLUENCES the same way; friendship and co-work become KNOWS.

Both datasets are binary, so every INFLUENCES tie gets the analytics default strength 0.5;
a KNOWS tie gets 0.8 for a mutual friendship, 0.6 for a one-sided one and (Lazega) 0.4
for co-work alone. People are referenced by ``m<i>`` (Krackhardt) and ``a<i>`` (Lazega).
The data live beside the repository in ``shared/data`` (override with
``STAKEMAP_DATA_DIR``); a missing file is an error, never a skip.

:func:`snapshot_from_request` turns a body into an :class:`OrgSnapshot` with the refs as
ids, so pure analytics tests need no store.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from schemas.common import RelType
from schemas.imports import ImportRequest
from schemas.resources import PersonPublic, RelationshipPublic, TeamMemberPublic
from schemas.snapshot import OrgSnapshot
from tests.factories import NOW, TENANT, SnapshotBuilder

INFLUENCE_STRENGTH = 0.5
MUTUAL_FRIENDS = 0.8
ONE_SIDED_FRIEND = 0.6
COWORKERS = 0.4


def data_dir() -> Path:
    """``$STAKEMAP_DATA_DIR``, else the copy kept with the tests (``tests/data``)."""
    env = os.environ.get("STAKEMAP_DATA_DIR")
    path = Path(env) if env else Path(__file__).resolve().parent / "data"
    if not path.is_dir():
        raise FileNotFoundError(f"dataset folder {path} is missing (set STAKEMAP_DATA_DIR)")
    return path


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _matrix_arcs(path: Path, column: str) -> list[tuple[int, int]]:
    """``(ego, alter)`` of every row of an ego/alter/0-1 file with a 1."""
    return sorted(
        (int(row["ego"]), int(row["alter"]))
        for row in _rows(path)
        if row[column] == "1" and row["ego"] != row["alter"]
    )


def _edge_arcs(path: Path) -> list[tuple[int, int]]:
    return sorted(
        (int(row["from"]), int(row["to"])) for row in _rows(path) if row["from"] != row["to"]
    )


def _knows(
    ref: str, friends: Sequence[tuple[int, int]], cowork: Sequence[tuple[int, int]] = ()
) -> list[dict[str, Any]]:
    """One KNOWS tie per unordered pair, strength by the kind of tie (module docstring)."""
    arcs = set(friends)
    strength: dict[tuple[int, int], float] = {}
    for a, b in cowork:
        strength[(min(a, b), max(a, b))] = COWORKERS
    for a, b in arcs:
        pair = (min(a, b), max(a, b))
        value = MUTUAL_FRIENDS if (b, a) in arcs else ONE_SIDED_FRIEND
        strength[pair] = max(value, strength.get(pair, 0.0))
    return [
        {"type": "KNOWS", "source": f"{ref}{a}", "target": f"{ref}{b}", "strength": s}
        for (a, b), s in sorted(strength.items())
    ]


def _influences(ref: str, advice: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """``asker -> adviser`` arcs become ``adviser INFLUENCES asker``."""
    return [
        {
            "type": "INFLUENCES",
            "source": f"{ref}{adviser}",
            "target": f"{ref}{asker}",
            "strength": INFLUENCE_STRENGTH,
        }
        for asker, adviser in advice
    ]


KRACKHARDT_LEVELS = {
    1: ("CEO", "executive"),
    2: ("Vice President", "vp"),
    3: ("Manager", "manager"),
}


def krackhardt_arcs() -> dict[str, list[tuple[int, int]]]:
    """The raw ``(ego, alter)`` arcs of the three Krackhardt relations."""
    folder = data_dir() / "krackhardt-hightech"
    return {
        "reports_to": _matrix_arcs(folder / "reports_to_data_frame.csv", "reports_to_tie"),
        "advice": _matrix_arcs(folder / "advice_data_frame.csv", "advice_tie"),
        "friendship": _matrix_arcs(folder / "friendship_data_frame.csv", "friendship_tie"),
    }


def krackhardt_request() -> dict[str, Any]:
    """The Krackhardt firm as an import body (no team: add your own members and ties)."""
    folder = data_dir() / "krackhardt-hightech"
    arcs = krackhardt_arcs()
    manager = dict(arcs["reports_to"])
    people = []
    for row in _rows(folder / "attributes.csv"):
        i = int(row[""])
        title, seniority = KRACKHARDT_LEVELS[int(row["LEVEL"])]
        dept = int(row["DEPT"])
        person: dict[str, Any] = {
            "ref": f"m{i}",
            "name": f"Manager {i}",
            "title": title,
            "seniority": seniority,
            "department": "Head office" if dept == 0 else f"Department {dept}",
        }
        if i in manager:
            person["reports_to"] = f"m{manager[i]}"
        people.append(person)
    return {
        "people": people,
        "team": [],
        "relationships": _influences("m", arcs["advice"]) + _knows("m", arcs["friendship"]),
    }


def lazega_arcs() -> dict[str, list[tuple[int, int]]]:
    """The raw ``(from, to)`` arcs of the three Lazega relations."""
    folder = data_dir() / "lazega-lawfirm"
    return {
        "advice": _edge_arcs(folder / "law_advice_edges.csv"),
        "cowork": _edge_arcs(folder / "law_cowork_edges.csv"),
        "friends": _edge_arcs(folder / "law_friends_edges.csv"),
    }


def lazega_request() -> dict[str, Any]:
    """The Lazega law firm as an import body (no team); partners rank as executives."""
    folder = data_dir() / "lazega-lawfirm"
    arcs = lazega_arcs()
    offices = {"1": "Boston", "2": "Hartford", "3": "Providence"}
    practices = {"1": "Litigation", "2": "Corporate"}
    people = []
    for row in _rows(folder / "law_advice_vertices.csv"):
        partner = row["status"] == "1"
        people.append(
            {
                "ref": f"a{row['id']}",
                "name": f"Attorney {row['id']}",
                "title": f"{'Partner' if partner else 'Associate'}, {offices[row['office']]}",
                "seniority": "executive" if partner else "individual",
                "department": practices[row["practice"]],
            }
        )
    return {
        "people": people,
        "team": [],
        "relationships": _influences("a", arcs["advice"])
        + _knows("a", arcs["friends"], arcs["cowork"]),
    }


def snapshot_from_request(body: dict[str, Any], org_id: str = "org") -> OrgSnapshot:
    """The snapshot the store would hold after importing ``body``, with refs as ids.

    The body is validated with :class:`ImportRequest` first, so a test that passes here
    posts a body the API accepts.
    """
    request = ImportRequest.model_validate(body)
    builder = SnapshotBuilder(org_id)
    stored = {"tenant": TENANT, "created_at": NOW, "updated_at": NOW, "version": 1}
    people = [
        PersonPublic(
            id=p.ref,
            org_id=org_id,
            name=p.name,
            **p.model_dump(exclude={"ref", "name", "reports_to"}),
            **stored,
        )
        for p in request.people
    ]
    team = [
        TeamMemberPublic(id=m.ref, **m.model_dump(exclude={"ref"}), **stored) for m in request.team
    ]
    rels = [
        RelationshipPublic(
            id=f"REPORTS_TO:{p.ref}->{p.reports_to}",
            org_id=org_id,
            type=RelType.REPORTS_TO,
            source_id=p.ref,
            target_id=p.reports_to,
            **stored,
        )
        for p in request.people
        if p.reports_to is not None
    ]
    rels += [
        RelationshipPublic(
            id=f"{r.type.value}:{r.source}->{r.target}#{i}",
            org_id=org_id,
            source_id=r.source,
            target_id=r.target,
            **r.model_dump(exclude={"source", "target"}),
            **stored,
        )
        for i, r in enumerate(request.relationships)
    ]
    return OrgSnapshot(organisation=builder.org, people=people, team=team, relationships=rels)
