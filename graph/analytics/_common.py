"""Helpers shared by the analytics modules: graph guards, node lookups, the error type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from graph.errors import FieldError, NotFound
from graph.messages import _
from graph.network import PERSON, TEAM

__all__ = ["UnknownNode"]

SIGNIFICANT_DIGITS = 12
"""Scores that order results are rounded to this many significant digits, so float noise
(summation order, relabelled ids) never decides an order and the output is visibly sorted."""


def canonical(value: float) -> float:
    """``value`` rounded to ``SIGNIFICANT_DIGITS`` significant digits (a positive stays > 0).

    >>> canonical(0.05399999999999999), canonical(1 / 3)
    (0.054, 0.333333333333)
    """
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


class UnknownNode(NotFound):
    """A requested node id is not a person (or team member) of this organisation.

    Parameters
    ----------
    node_id : str
        The id that was asked for.
    field : str
        The request field it came from (``target_id``, ``member_id``).
    """

    def __init__(self, node_id: str, field: str) -> None:
        super().__init__(field)
        self.node_id = node_id
        self.field = field
        self.detail = _("{field} {node_id} is not in this organisation").format(
            field=field, node_id=repr(node_id)
        )
        self.errors = [FieldError(field, _("no such node in this organisation"))]
        self.args = (self.detail,)


def check_graph(graph: Any) -> None:
    """Refuse anything but the :func:`graph.network.build_graph` kind of graph."""
    if not isinstance(graph, nx.MultiDiGraph):
        raise TypeError("analytics need the nx.MultiDiGraph made by graph.network.build_graph")


def persons(graph: nx.MultiDiGraph) -> list[str]:
    """Person ids, sorted."""
    return sorted(n for n, kind in graph.nodes(data="kind") if kind == PERSON)


def team(graph: nx.MultiDiGraph) -> list[str]:
    """Team member ids, sorted."""
    return sorted(n for n, kind in graph.nodes(data="kind") if kind == TEAM)


def is_person(graph: nx.MultiDiGraph, node: str) -> bool:
    return node in graph and graph.nodes[node].get("kind") == PERSON


def is_team(graph: nx.MultiDiGraph, node: str) -> bool:
    return node in graph and graph.nodes[node].get("kind") == TEAM


def name_of(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("name") or node)


def edges_of_type(graph: nx.MultiDiGraph, rel_type: str) -> Iterator[tuple[str, str, str, Any]]:
    """``(source, target, key, data)`` of every edge of one type, sorted by key for stability."""
    found = [
        (u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if d["type"] == rel_type
    ]
    found.sort(key=lambda e: (str(e[2]), e[0], e[1]))
    yield from found


def graph_meta(graph: nx.MultiDiGraph) -> tuple[str | None, int | None]:
    """``(org_id, version)`` from the graph attributes, when present."""
    org_id = graph.graph.get("org_id")
    version = graph.graph.get("version")
    return (
        None if org_id is None else str(org_id),
        None if version is None else int(version),
    )


def percent(p: float) -> str:
    """A probability as a short percentage: ``28%``, ``8.4%``, ``0.35%``.

    >>> percent(0.2834), percent(0.0842), percent(0.0035), percent(1e-6)
    ('28%', '8.4%', '0.35%', 'under 0.01%')
    """
    value = p * 100
    if value >= 10:
        return f"{value:.0f}%"
    if value >= 1:
        return f"{value:.1f}%"
    if value >= 0.01:
        return f"{value:.2f}%"
    return _("under 0.01%")


def and_list(items: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C`` (in the current language).

    >>> and_list(["Ada"]), and_list(["Ada", "Bo"]), and_list(["Ada", "Bo", "Cy"])
    ('Ada', 'Ada and Bo', 'Ada, Bo and Cy')
    """
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=_(", ").join(items[:-1]), last=items[-1])
