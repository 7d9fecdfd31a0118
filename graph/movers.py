"""People who move: the one rule for a stakeholder who left or is on leave.

:func:`graph.network.build_graph` applies it, so every analytic reads the organisation as it
stands (docs/ANALYTICS.md, "People who move"):

* a person with ``status: left`` (from ``left_on``; at once when no day is given) becomes a
  node of kind ``former``: no power holder, decision-maker, role holder or target, since
  those read the people of kind ``person`` only. Their ``REPORTS_TO`` and ``INFLUENCES``
  lines stop counting; their solid reports are read as reporting to the leaver's own solid
  manager (the next one up who has not left), under the report's own relationship id (it
  replaces a dotted line they had to that manager). The stored lines stay as they are.
  Their ``KNOWS`` ties stay: a former employee can still make an introduction, at a
  discount (:data:`FORMER_EMPLOYEE_FACTOR`, fading with time since they left,
  :func:`former_factor`), and a path through them is flagged ``former_employee``;
* a person with ``status: on_leave`` keeps power and roles; hops to and from them are
  scaled by :data:`ON_LEAVE_FACTOR` and a path through them is flagged ``on_leave``.
"""

from __future__ import annotations

from datetime import date

import networkx as nx

from schemas.common import PersonStatus, RelType

__all__ = [
    "FORMER",
    "FORMER_EMPLOYEE_FACTOR",
    "FORMER_HALF_LIFE_DAYS",
    "ON_LEAVE_FACTOR",
    "apply_movers",
    "former_factor",
    "has_left",
]

FORMER = "former"
"""Node kind of a person who left."""

FORMER_EMPLOYEE_FACTOR = 0.5
"""An introduction by someone who left counts half: they still know people, but no longer
see them every day nor speak with the organisation's voice."""

FORMER_HALF_LIFE_DAYS = 365
"""... and that half halves again each year since they left: alumni networks fade."""

ON_LEAVE_FACTOR = 0.5
"""Hops to and from someone on leave count half: the introduction waits for their return."""


def has_left(status: str, left_on: date | None, as_of: date | None) -> bool:
    """Whether a person of ``status`` who left on ``left_on`` is gone on ``as_of``.

    >>> has_left("left", date(2026, 3, 1), date(2026, 2, 1)), has_left("left", None, None)
    (False, True)
    """
    if status != PersonStatus.LEFT.value:
        return False
    return left_on is None or as_of is None or left_on <= as_of


def former_factor(left_on: date | None, as_of: date) -> float:
    """The factor of an introduction by someone who left on ``left_on``, asked on ``as_of``:
    ``FORMER_EMPLOYEE_FACTOR x 0.5 ** (days since they left / FORMER_HALF_LIFE_DAYS)`` (an
    unknown day counts as today).

    >>> former_factor(date(2025, 1, 1), date(2026, 1, 1)), former_factor(None, date(2026, 1, 1))
    (0.25, 0.5)
    """
    days = 0 if left_on is None else max(0, (as_of - left_on).days)
    return float(FORMER_EMPLOYEE_FACTOR * 0.5 ** (days / FORMER_HALF_LIFE_DAYS))


def apply_movers(graph: nx.MultiDiGraph, as_of: date | None) -> None:
    """Apply the rule to ``graph`` in place (see the module): leavers become ``former``
    nodes, their reporting and influence lines go, their solid reports move up. The graph
    attribute ``changes_on`` is the first day after ``as_of`` on which someone leaves (the
    graph is no longer true then), or None.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for p, status in (("ceo", "active"), ("vp", "left"), ("eng", "active")):
    ...     g.add_node(p, kind="person", status=status, left_on=None)
    >>> g.add_edge("vp", "ceo", key="r1", type="REPORTS_TO", dotted=False)
    'r1'
    >>> g.add_edge("eng", "vp", key="r2", type="REPORTS_TO", dotted=False)
    'r2'
    >>> apply_movers(g, date(2026, 1, 1))
    >>> g.nodes["vp"]["kind"], sorted(g.edges(keys=True))
    ('former', [('eng', 'ceo', 'r2')])
    """
    leavers = {
        node
        for node, attrs in graph.nodes(data=True)
        if attrs.get("kind") == "person"
        and has_left(str(attrs.get("status")), attrs.get("left_on"), as_of)
    }
    # the first day this graph stops being true: a departure announced for later
    pending = [
        attrs["left_on"]
        for attrs in graph.nodes.values()
        if attrs.get("kind") == "person"
        and attrs.get("status") == PersonStatus.LEFT.value
        and attrs.get("left_on") is not None
        and as_of is not None
        and attrs["left_on"] > as_of
    ]
    graph.graph["changes_on"] = min(pending, default=None)
    if not leavers:
        return
    lines = (RelType.REPORTS_TO.value, RelType.INFLUENCES.value)
    solid_manager = {
        u: v
        for u, v, data in graph.edges(data=True)
        if data["type"] == RelType.REPORTS_TO.value and not data.get("dotted")
    }
    moved = []
    former_reports: dict[str, list[str]] = {leaver: [] for leaver in leavers}
    for leaver in sorted(leavers):
        manager = _first_present_manager(leaver, solid_manager, leavers)
        for report, _leaver, key, data in list(graph.in_edges(leaver, keys=True, data=True)):
            solid = data["type"] == RelType.REPORTS_TO.value and not data.get("dotted")
            if solid and report not in leavers:
                former_reports[leaver].append(report)
            if solid and manager is not None and report not in leavers and report != manager:
                moved.append((report, manager, key, dict(data)))
    for u, v, key, data in list(graph.edges(keys=True, data=True)):
        if data["type"] in lines and (u in leavers or v in leavers):
            graph.remove_edge(u, v, key)
    for report, manager, key, data in moved:
        between = graph.get_edge_data(report, manager, default={})
        held = [(k, d) for k, d in between.items() if d["type"] == RelType.REPORTS_TO.value]
        if any(not d.get("dotted") for _k, d in held):
            continue
        for dotted_key, _d in held:  # the solid line moving up replaces a dotted one
            graph.remove_edge(report, manager, dotted_key)
        graph.add_edge(report, manager, key=key, **data)
    for leaver in leavers:
        attrs = graph.nodes[leaver]
        attrs["kind"] = FORMER
        attrs["held_roles"] = attrs.get("roles", frozenset())  # what the alerts say they were
        attrs["roles"] = frozenset()
        attrs["former_reports"] = tuple(sorted(former_reports[leaver]))


def _first_present_manager(
    person: str, solid_manager: dict[str, str], leavers: set[str]
) -> str | None:
    """The nearest solid-line superior of ``person`` who has not left."""
    seen = {person}
    manager = solid_manager.get(person)
    while manager is not None and manager in leavers:
        if manager in seen:  # a cycle of leavers: nobody present above
            return None
        seen.add(manager)
        manager = solid_manager.get(manager)
    return manager
