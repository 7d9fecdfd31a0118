"""The power map as GraphML, for Gephi, yEd and ``networkx.read_graphml``.

Written by :func:`networkx.generate_graphml`, so every attribute is declared once with a
``<key>`` of the right ``attr.type`` (``string``, ``int``, ``double``, ``boolean``). Node
attributes are the map's node data, flat: roles joined with ``;``; the position as ``x`` and
``y`` (and ``size``, ``r``, ``g``, ``b`` from the stance colour), which Gephi's importer
reads as the layout and colour; ``label`` is the name. Edge attributes: ``type``,
``strength`` and ``weight`` (the strength, 1 when unset), ``line``, ``last_contact`` (ISO
date), ``channel``. An attribute with no value (a team member's power) is left out rather
than written empty, as GraphML allows.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.powermap.svg import STANCE_COLOURS, TEAM_COLOUR
from graph.powermap.text import xml_safe
from schemas.powermap import MapEdge, MapNode, PowerMap

__all__ = ["to_graphml"]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = xml_safe(value) if isinstance(value, str) else value
    return out


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _node_attrs(node: MapNode) -> dict[str, Any]:
    d = node.data
    r, g, b = _rgb(STANCE_COLOURS[d.stance] if d.stance is not None else TEAM_COLOUR)
    return _clean(
        {
            "label": d.name,
            "kind": d.kind.value,
            "name": d.name,
            "title": d.title,
            "department": d.department,
            "seniority": d.seniority,
            "roles": ";".join(role.value for role in d.roles),
            "stance": None if d.stance is None else d.stance.value,
            "power": d.power,
            "rank": d.rank,
            "formal": d.formal,
            "informal": d.informal,
            "brokerage": d.brokerage,
            "declared": d.declared,
            "engaged": d.engaged,
            "engaged_by": ";".join(d.engaged_by),
            "top": d.top,
            "layer": d.layer,
            "x": float(node.position.x),
            "y": float(node.position.y),
            "size": float(d.size),
            "r": r,
            "g": g,
            "b": b,
        }
    )


def _edge_attrs(edge: MapEdge) -> dict[str, Any]:
    d = edge.data
    return _clean(
        {
            "type": d.type.value,
            "strength": d.strength,
            "weight": 1.0 if d.strength is None else d.strength,
            "line": d.line.value,
            "last_contact": None if d.last_contact is None else d.last_contact.isoformat(),
            "channel": d.channel,
        }
    )


def to_graphml(pm: PowerMap) -> bytes:
    """Write a power map as a GraphML document (UTF-8).

    Examples
    --------
    >>> import io
    >>> from datetime import date
    >>> import networkx as nx
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.powermap.cytoscape import power_map
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> back = nx.read_graphml(io.BytesIO(to_graphml(power_map(g, rank_influence(g),
    ...     as_of=date(2026, 1, 1)))), force_multigraph=True)
    >>> sorted(back.nodes), back.nodes["ceo"]["rank"], back.nodes["cfo"]["engaged"]
    (['am', 'ceo', 'cfo'], 1, True)
    >>> sorted(k for _u, _v, k in back.edges(keys=True))
    ['KNOWS:am->cfo', 'REPORTS_TO:cfo->ceo']
    """
    graph = nx.MultiDiGraph()
    meta = pm.data
    graph.graph.update(
        _clean(
            {
                "org_id": meta.org_id,
                "org_name": meta.org_name,
                "version": meta.version,
                "as_of": meta.as_of.isoformat(),
                "top_id": meta.top_id,
            }
        )
    )
    for node in pm.elements.nodes:
        graph.add_node(xml_safe(node.data.id), **_node_attrs(node))
    for edge in pm.elements.edges:
        graph.add_edge(
            xml_safe(edge.data.source),
            xml_safe(edge.data.target),
            key=xml_safe(edge.data.id),
            **_edge_attrs(edge),
        )
    text = "\n".join(nx.generate_graphml(graph, encoding="utf-8", prettyprint=True))
    return (text + "\n").encode("utf-8")
