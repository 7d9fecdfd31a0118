"""The power map as a standalone SVG picture, fit to paste into an account plan.

The picture is the :class:`~schemas.powermap.PowerMap` document drawn as it is: the same
positions and bends. Colour shows stance, size shows power, line style shows the kind of
tie; a title and a legend say what is what. Styling uses presentation attributes only (no
``<style>`` element, no script), so office suites, image converters and pages with a strict
Content-Security-Policy all show it the same way. Every text is escaped.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from graph.layered import DEFAULT_GEOMETRY, Geometry
from graph.messages import N_, _
from graph.powermap.text import fit_lines, xml_safe
from schemas.common import Stance
from schemas.powermap import LineStyle, MapEdge, MapEdgeType, MapNode, MapNodeKind, PowerMap

__all__ = ["EDGE_COLOURS", "STANCE_COLOURS", "TEAM_COLOUR", "node_labels", "render_svg"]

STANCE_COLOURS: dict[Stance, str] = {
    Stance.CHAMPION: "#1a7f37",
    Stance.SUPPORTER: "#74c365",
    Stance.NEUTRAL: "#a3abb5",
    Stance.SKEPTIC: "#f2a13b",
    Stance.OPPONENT: "#d1352b",
}
"""Fill of a stakeholder by stance: greens for us, grey for neutral, orange to red against."""

TEAM_COLOUR = "#1f4e8c"
"""Fill of a member of our team, and the ring of the people we are engaged with."""

EDGE_COLOURS: dict[MapEdgeType, str] = {
    MapEdgeType.REPORTS_TO: "#4b5563",
    MapEdgeType.INFLUENCES: "#8e44ad",
    MapEdgeType.KNOWS: "#2f80c0",
    MapEdgeType.COLD: "#6b7280",
}
"""Line colour by tie type."""

HIGHLIGHT = "#f59e0b"
TOP_COLOUR = "#d4a017"
FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"
NAME_SIZE = 12.0
TITLE_SIZE = 10.5
HEADER = 124.0
LEGEND_WIDTH = 1010.0
_TYPE_ORDER = {t: i for i, t in enumerate(MapEdgeType)}
_HALO = 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'


def _text(value: object) -> str:
    return escape(xml_safe(str(value)))


def _attr(value: object) -> str:
    return quoteattr(xml_safe(str(value)))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ink(fill: str) -> str:
    """Black or white, whichever reads better on ``fill``."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111827" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "#ffffff"


def node_labels(node: MapNode, geometry: Geometry = DEFAULT_GEOMETRY) -> list[str]:
    """The lines under a node: its name (one line), then its title (up to two lines).

    >>> from schemas.powermap import MapNodeData, Point
    >>> data = MapNodeData(id="p", kind="person", name="Pavel Novak",
    ...     title="Director of Strategic Sourcing", roles=[], stance="neutral", power=0.5,
    ...     rank=1, engaged=False, engaged_by=[], top=False, layer=0, order=0, size=40,
    ...     width=164, height=88)
    >>> node_labels(MapNode(data=data, position=Point(x=0, y=0), classes="person"))
    ['Pavel Novak', 'Director of Strategic Sourcing']
    """
    room = geometry.slot_width - 6
    lines = fit_lines(node.data.name, room, NAME_SIZE, bold=True)
    if node.data.title:
        lines += fit_lines(node.data.title, room, TITLE_SIZE, max_lines=2)
    return lines


def _label_bottom(node: MapNode, geometry: Geometry) -> float:
    lines = len(node_labels(node, geometry))
    return node.position.y + node.data.size / 2 + 4 + 14 + 13 * max(0, lines - 1)


def _tooltip(node: MapNode) -> str:
    d = node.data
    head = _("{name} \u2014 {title}").format(name=d.name, title=d.title) if d.title else d.name
    if d.kind is MapNodeKind.TEAM:
        return head + "\n" + _("our team")
    facts = [
        _("rank {rank}").format(rank=d.rank),
        _("power {power:.2f}").format(power=d.power),
        _("stance {stance}").format(stance=d.stance),
    ]
    if d.roles:
        facts.append(_("roles: {roles}").format(roles=_(", ").join(r.value for r in d.roles)))
    if d.engaged:
        facts.append(_("engaged by us"))
    if d.top:
        facts.append(_("top decision-maker"))
    return head + "\n" + " \u00b7 ".join(facts)


def _star(cx: float, cy: float, r: float) -> str:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + k * math.pi / 5
        px, py = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        points.append(f"{_num(px)},{_num(py)}")
    return " ".join(points)


def _draw_node(node: MapNode, geometry: Geometry, dim: bool) -> list[str]:
    d = node.data
    x, y, r = node.position.x, node.position.y, d.size / 2
    opacity = ' opacity="0.45"' if dim else ""
    out = [
        f'<g class="node" data-id={_attr(d.id)} data-kind="{d.kind.value}"{opacity}>',
        f"<title>{_text(_tooltip(node))}</title>",
    ]
    if d.highlight:
        out.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r + 9)}" fill="none" '
            f'stroke="{HIGHLIGHT}" stroke-width="5"/>'
        )
    if d.kind is MapNodeKind.TEAM:
        initials = "".join(part[0] for part in d.name.split()[:2]).upper()
        out.append(
            f'<rect x="{_num(x - r)}" y="{_num(y - r)}" width="{_num(2 * r)}" '
            f'height="{_num(2 * r)}" rx="8" fill="{TEAM_COLOUR}"/>'
        )
        out.append(
            f'<text x="{_num(x)}" y="{_num(y + 4.5)}" text-anchor="middle" font-size="13" '
            f'font-weight="bold" fill="#ffffff">{_text(initials)}</text>'
        )
    else:
        fill = STANCE_COLOURS[d.stance or Stance.NEUTRAL]
        if d.engaged:
            out.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r + 3.5)}" fill="none" '
                f'stroke="{TEAM_COLOUR}" stroke-width="3"/>'
            )
        out.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="1.5"/>'
        )
        size = 11 if r >= 16 else 9.5
        out.append(
            f'<text x="{_num(x)}" y="{_num(y + size * 0.36)}" text-anchor="middle" '
            f'font-size="{_num(size)}" font-weight="bold" fill="{_ink(fill)}">{d.rank}</text>'
        )
        if d.top:
            out.append(
                f'<polygon points="{_star(x + r * 0.78, y - r * 0.78, 9)}" fill="{TOP_COLOUR}" '
                f'stroke="#ffffff" stroke-width="1"/>'
            )
    ty = y + r + 4 + 12
    for i, line in enumerate(node_labels(node, geometry)):
        size, fill = (NAME_SIZE, "#111827") if i == 0 else (TITLE_SIZE, "#4b5563")
        weight = ' font-weight="bold"' if i == 0 else ""
        out.append(
            f'<text x="{_num(x)}" y="{_num(ty)}" text-anchor="middle" font-size="{_num(size)}"'
            f'{weight} fill="{fill}" {_HALO}>{_text(line)}</text>'
        )
        ty += 14 if i == 0 else 13
    out.append("</g>")
    return out


def _route(
    edge: MapEdge, nodes: dict[str, MapNode], offset: float, geometry: Geometry
) -> tuple[str, tuple[float, float], tuple[float, float]]:
    """SVG path data of an edge, and its last two points (for the arrow's direction)."""
    source, target = nodes[edge.data.source], nodes[edge.data.target]
    if edge.data.flat:
        x1, y1 = source.position.x, source.position.y - source.data.size / 2
        x2, y2 = target.position.x, target.position.y - target.data.size / 2
        lift = min(64.0, 20.0 + abs(x2 - x1) * 0.12) + offset
        cx, cy = (x1 + x2) / 2, min(y1, y2) - lift
        return (
            f"M{_num(x1)},{_num(y1)} Q{_num(cx)},{_num(cy)} {_num(x2)},{_num(y2)}",
            (cx, cy),
            (x2, y2),
        )
    down = source.position.y < target.position.y
    upper, lower = (source, target) if down else (target, source)
    start = (upper.position.x, _label_bottom(upper, geometry) + 2)
    end = (lower.position.x, lower.position.y - lower.data.size / 2 - 1)
    bends = [(p.x + offset, p.y) for p in edge.data.bends]
    points = [start, *(bends if down else list(reversed(bends))), end]
    if not down:
        points.reverse()
    if len(points) == 2 and offset:
        (x1, y1), (x2, y2) = points
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        cx = (x1 + x2) / 2 + offset * (y2 - y1) / length * -1
        cy = (y1 + y2) / 2 + offset * (x2 - x1) / length
        return (
            f"M{_num(x1)},{_num(y1)} Q{_num(cx)},{_num(cy)} {_num(x2)},{_num(y2)}",
            (cx, cy),
            (x2, y2),
        )
    data = "M" + " L".join(f"{_num(px)},{_num(py)}" for px, py in points)
    return data, points[-2], points[-1]


def _edge_style(edge: MapEdge) -> tuple[str, float, str]:
    """Colour, width and dash pattern of an edge."""
    kind = edge.data.type
    strength = 0.5 if edge.data.strength is None else edge.data.strength
    if kind is MapEdgeType.REPORTS_TO:
        width = 1.6
    elif kind is MapEdgeType.INFLUENCES:
        width = 1.0 + 2.5 * strength
    elif kind is MapEdgeType.KNOWS:
        width = 1.0 + 2.0 * strength
    else:
        width = 1.6
    dash = "2 4" if edge.data.line is LineStyle.DOTTED else ""
    return EDGE_COLOURS[kind], width, dash


def _offsets(edges: Iterable[MapEdge]) -> dict[str, float]:
    """Spread parallel edges (same two ends) apart so each stays visible."""
    groups: dict[tuple[str, str], list[MapEdge]] = defaultdict(list)
    for edge in edges:
        a, b = sorted((edge.data.source, edge.data.target))
        groups[(a, b)].append(edge)
    offsets: dict[str, float] = {}
    for group in groups.values():
        group.sort(key=lambda e: (_TYPE_ORDER[e.data.type], e.data.id))
        for i, edge in enumerate(group):
            offsets[edge.data.id] = (i - (len(group) - 1) / 2) * 12.0
    return offsets


def _arrow(tip: tuple[float, float], before: tuple[float, float], colour: str, size: float) -> str:
    (x2, y2), (x1, y1) = tip, before
    angle = math.atan2(y2 - y1, x2 - x1)
    left = (x2 - size * math.cos(angle - 0.4), y2 - size * math.sin(angle - 0.4))
    right = (x2 - size * math.cos(angle + 0.4), y2 - size * math.sin(angle + 0.4))
    pts = " ".join(f"{_num(px)},{_num(py)}" for px, py in (tip, left, right))
    return f'<polygon points="{pts}" fill="{colour}"/>'


def _draw_edges(pm: PowerMap, nodes: dict[str, MapNode], geometry: Geometry) -> list[str]:
    edges = pm.elements.edges
    offsets = _offsets(edges)
    dim = pm.data.path is not None
    halos: list[str] = []
    lines: list[str] = []
    for edge in edges:
        if edge.data.source not in nodes or edge.data.target not in nodes:
            continue
        path, before, tip = _route(edge, nodes, offsets[edge.data.id], geometry)
        colour, width, dash = _edge_style(edge)
        dash_attr = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
        faded = dim and not edge.data.highlight
        opacity = 0.25 if faded else (0.9 if edge.data.type is MapEdgeType.REPORTS_TO else 0.8)
        if edge.data.highlight:
            halos.append(
                f'<path d="{path}" fill="none" stroke="{HIGHLIGHT}" '
                f'stroke-width="{_num(width + 7)}" stroke-linecap="round" '
                f'stroke-linejoin="round" opacity="0.6"/>'
            )
        lines.append(
            f'<g class="edge" data-id={_attr(edge.data.id)} data-type="{edge.data.type.value}" '
            f'opacity="{opacity}"><path d="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="{_num(width)}"{dash_attr} stroke-linejoin="round"/>'
        )
        if edge.data.type in (MapEdgeType.INFLUENCES, MapEdgeType.COLD):
            lines.append(_arrow(tip, before, colour, 6 + width * 1.5))
        lines.append("</g>")
    return halos + lines


def _legend(x: float, y: float) -> list[str]:
    out = ['<g class="legend" font-size="11" fill="#374151">']
    cx = x
    for stance, colour in STANCE_COLOURS.items():
        out.append(f'<circle cx="{_num(cx + 7)}" cy="{_num(y)}" r="7" fill="{colour}"/>')
        out.append(f'<text x="{_num(cx + 18)}" y="{_num(y + 4)}">{stance.value}</text>')
        cx += 30 + len(stance.value) * 6.2
    out.append(
        f'<rect x="{_num(cx)}" y="{_num(y - 7)}" width="14" height="14" rx="3" '
        f'fill="{TEAM_COLOUR}"/><text x="{_num(cx + 19)}" y="{_num(y + 4)}">'
        f"{_text(_('our team'))}</text>"
    )
    cx += 84
    out.append(
        f'<circle cx="{_num(cx + 8)}" cy="{_num(y)}" r="8" fill="#ffffff" '
        f'stroke="{TEAM_COLOUR}" stroke-width="3"/>'
        f'<text x="{_num(cx + 21)}" y="{_num(y + 4)}">{_text(_("engaged by us"))}</text>'
    )
    cx += 112
    out.append(
        f'<polygon points="{_star(cx + 8, y, 8)}" fill="{TOP_COLOUR}"/>'
        f'<text x="{_num(cx + 20)}" y="{_num(y + 4)}">{_text(_("top decision-maker"))}</text>'
    )
    cx += 134
    out.append(
        f'<circle cx="{_num(cx + 5)}" cy="{_num(y)}" r="5" fill="#a3abb5"/>'
        f'<circle cx="{_num(cx + 22)}" cy="{_num(y)}" r="10" fill="#a3abb5"/>'
        f'<text x="{_num(cx + 37)}" y="{_num(y + 4)}">'
        f"{_text(_('size = power, number = rank'))}</text>"
    )
    y2 = y + 24
    cx = x
    samples = [
        (N_("reports to"), EDGE_COLOURS[MapEdgeType.REPORTS_TO], 1.6, "", False),
        (N_("dotted line"), EDGE_COLOURS[MapEdgeType.REPORTS_TO], 1.6, "2 4", False),
        (N_("influences"), EDGE_COLOURS[MapEdgeType.INFLUENCES], 2.2, "", True),
        (N_("knows"), EDGE_COLOURS[MapEdgeType.KNOWS], 2.0, "", False),
        (N_("cold approach"), EDGE_COLOURS[MapEdgeType.COLD], 1.6, "2 4", True),
        (N_("highlighted path"), HIGHLIGHT, 6.0, "", False),
    ]
    for message, colour, width, dash, arrow in samples:
        label = _(message)
        dash_attr = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
        out.append(
            f'<path d="M{_num(cx)},{_num(y2)} L{_num(cx + 30)},{_num(y2)}" stroke="{colour}" '
            f'stroke-width="{_num(width)}"{dash_attr} fill="none"/>'
        )
        if arrow:
            out.append(_arrow((cx + 34, y2), (cx, y2), colour, 8))
        out.append(f'<text x="{_num(cx + 40)}" y="{_num(y2 + 4)}">{_text(label)}</text>')
        cx += 66 + len(label) * 6.2
    out.append("</g>")
    return out


def render_svg(pm: PowerMap, geometry: Geometry = DEFAULT_GEOMETRY) -> str:
    """Draw a power map as a standalone SVG document.

    Examples
    --------
    >>> from datetime import date
    >>> import xml.etree.ElementTree as ET
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.powermap.cytoscape import power_map
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> svg = render_svg(power_map(g, rank_influence(g), as_of=date(2026, 1, 1)))
    >>> root = ET.fromstring(svg)
    >>> root.tag, len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='node']"))
    ('{http://www.w3.org/2000/svg}svg', 3)
    """
    meta = pm.data
    nodes = {node.data.id: node for node in pm.elements.nodes}
    width = max(meta.width, LEGEND_WIDTH + 2 * geometry.margin)
    name = meta.org_name or _("Organisation")
    title = _("Power map \u2014 {name}").format(name=name)
    facts = [
        _("{count} stakeholders").format(count=meta.people),
        _("{count} of our team").format(count=meta.team),
    ]
    if meta.top_name:
        facts.append(_("top decision-maker: {name}").format(name=meta.top_name))
    if meta.version is not None:
        facts.append(_("version {version}").format(version=meta.version))
    facts.append(_("as of {day}").format(day=meta.as_of.isoformat()))
    subtitle = " \u00b7 ".join(facts)
    path_lines: list[str] = []
    if meta.path is not None:
        path_lines = fit_lines(
            _("Highlighted path ({probability:.1%}): {explanation}").format(
                probability=meta.path.probability, explanation=meta.path.explanation
            ),
            width - 2 * geometry.margin,
            12,
            max_lines=3,
        )
    header = HEADER + 16 * len(path_lines)
    height = meta.height + header
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="{FONT}" role="img">',
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(' '.join([subtitle, *path_lines]))}</desc>",
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        f'<text x="{_num(geometry.margin)}" y="34" font-size="22" font-weight="bold" '
        f'fill="#111827">{_text(title)}</text>',
        f'<text x="{_num(geometry.margin)}" y="54" font-size="12" fill="#4b5563">'
        f"{_text(subtitle)}</text>",
    ]
    for i, line in enumerate(path_lines):
        out.append(
            f'<text x="{_num(geometry.margin)}" y="{_num(72 + 16 * i)}" font-size="12" '
            f'fill="#92400e">{_text(line)}</text>'
        )
    out += [
        *_legend(geometry.margin, 76 + 16 * len(path_lines)),
        f'<line x1="0" y1="{_num(header - 4)}" x2="{_num(width)}" y2="{_num(header - 4)}" '
        f'stroke="#e5e7eb"/>',
        f'<g class="map" transform="translate(0,{_num(header)})">',
    ]
    team = [n for n in pm.elements.nodes if n.data.kind is MapNodeKind.TEAM]
    if team:
        band_y = team[0].position.y
        top = band_y - geometry.team_size / 2 - 30
        bottom = band_y + geometry.team_size / 2 + geometry.label_height + 4
        out.append(
            f'<rect x="8" y="{_num(top)}" width="{_num(width - 16)}" height="{_num(bottom - top)}" '
            f'rx="10" fill="#eef3fa"/>'
            f'<text x="20" y="{_num(top + 18)}" font-size="12" font-weight="bold" '
            f'fill="{TEAM_COLOUR}">{_text(_("Our team"))}</text>'
        )
    out += _draw_edges(pm, nodes, geometry)
    dim = meta.path is not None
    for node in pm.elements.nodes:
        out += _draw_node(node, geometry, dim and not node.data.highlight)
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)
