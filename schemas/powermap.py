"""The power map: a Cytoscape.js elements document with a layout already computed.

``GET /v1/organisations/{org_id}/power-map`` answers a :class:`PowerMap`. Front-ends render
it as it is (``cy.add(doc.elements)`` with the ``preset`` layout, or draw it themselves): every
node carries its ``position`` and every long edge its bend points. The geometry (docs in
README, "Power map and web page"):

* rows are reporting depth, the top of the reporting tree on row 0 at the top; our team is
  the band below the last stakeholder row;
* a node is centred on ``position``; its footprint is the box
  ``[x - width/2, x + width/2] x [y - size/2, y - size/2 + height]`` (the symbol of diameter
  ``size`` with the name and title under it), and no two footprints overlap;
* an edge runs from ``source`` through ``bends`` (in order) to ``target``; an edge spanning
  several rows has a bend on every row it passes, unless it is drawn straight (none: the
  ties spanning the most rows of a large map, see ``data.layout``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.analytics import EntryPath
from schemas.common import BuyingRole, JobFunction, Stance

__all__ = [
    "Highlight",
    "LayoutMethod",
    "LineStyle",
    "MapEdge",
    "MapEdgeData",
    "MapEdgeType",
    "MapElements",
    "MapLayoutInfo",
    "MapMeta",
    "MapNode",
    "MapNodeData",
    "MapNodeKind",
    "Point",
    "PowerMap",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Highlight(StrEnum):
    """What ``?highlight=`` marks on the map."""

    ENTRY_PATHS = "entry-paths"


class MapNodeKind(StrEnum):
    """A stakeholder of the organisation, or a member of our team."""

    PERSON = "person"
    TEAM = "team"


class MapEdgeType(StrEnum):
    """The relationship an edge draws; ``cold`` is a highlighted approach with no tie."""

    REPORTS_TO = "REPORTS_TO"
    INFLUENCES = "INFLUENCES"
    KNOWS = "KNOWS"
    COLD = "cold"


class LineStyle(StrEnum):
    """Solid, or dotted (a dotted reporting line, or a cold approach)."""

    SOLID = "solid"
    DOTTED = "dotted"


class Point(_Frozen):
    """A point of the drawing, in pixels; y grows downwards."""

    x: float
    y: float


class MapNodeData(_Frozen):
    """What a node is, and how big to draw it."""

    id: str
    kind: MapNodeKind = Field(description="person (stakeholder) or team (our side)")
    name: str
    title: str | None = None
    department: str | None = None
    seniority: str | None = Field(
        default=None, description="Given seniority, else the one the title implies"
    )
    seniority_inferred: bool = Field(
        default=False, description="True when `seniority` was inferred from the title"
    )
    function: JobFunction | None = Field(
        default=None, description="Job function the title implies (null for our team)"
    )
    roles: list[BuyingRole] = Field(description="Buying roles (empty for our team)")
    stance: Stance | None = Field(description="Stance toward us (null for our team)")
    power: float | None = Field(description="Power in [0, 1] (null for our team)")
    rank: int | None = Field(description="1 = most powerful (null for our team)")
    formal: float | None = Field(default=None, description="Power component, [0, 1]")
    informal: float | None = Field(default=None, description="Power component, [0, 1]")
    brokerage: float | None = Field(default=None, description="Power component, [0, 1]")
    declared: float | None = Field(default=None, description="Power component, [0, 1]")
    engaged: bool | None = Field(
        description="We have a working tie with them (a team member's KNOWS tie of effective "
        "strength at least the engagement threshold); null for our team"
    )
    engaged_by: list[str] = Field(
        description="Team members whose tie is strong enough (for a team member: the people "
        "they are engaged with)"
    )
    tie_strength: float | None = Field(
        default=None, description="Best effective strength of a team member's tie to them"
    )
    top: bool = Field(description="The top decision-maker (default entry-path target)")
    layer: int = Field(ge=0, description="Row, 0 = top; our team is the last row")
    order: int = Field(ge=0, description="Place in the row, 0 = leftmost")
    size: float = Field(gt=0, description="Diameter of the node symbol (grows with power)")
    width: float = Field(gt=0, description="Width of the footprint (symbol and labels)")
    height: float = Field(gt=0, description="Height of the footprint, from the symbol's top")
    highlight: bool = Field(default=False, description="On the highlighted path")


class MapNode(_Frozen):
    """A Cytoscape.js node element."""

    data: MapNodeData
    position: Point = Field(description="Centre of the node symbol")
    classes: str = Field(description="Space-separated: kind, stance, top, engaged, highlight")


class MapEdgeData(_Frozen):
    """What an edge is, and how to route it."""

    id: str = Field(description="The relationship id (cold approaches: cold:<from>-><to>)")
    source: str
    target: str
    type: MapEdgeType
    strength: float | None = Field(description="Tie strength in [0, 1], when stored")
    line: LineStyle
    directed: bool = Field(
        description="Draw an arrow at the target (INFLUENCES, REPORTS_TO, cold approaches)"
    )
    last_contact: date | None = None
    channel: str | None = None
    bends: list[Point] = Field(
        default_factory=list, description="Points the edge passes, from source to target"
    )
    flat: bool = Field(description="Both ends on the same row (draw it as an arc)")
    highlight: bool = False


class MapEdge(_Frozen):
    """A Cytoscape.js edge element."""

    data: MapEdgeData
    classes: str = Field(description="Space-separated: type, line, highlight")


class MapElements(_Frozen):
    """Cytoscape.js elements, grouped."""

    nodes: list[MapNode]
    edges: list[MapEdge]


class LayoutMethod(StrEnum):
    """How the positions were found (docs in README, "Power map and web page")."""

    LAYERED = "layered"
    """Rows, crossing reduction, placement; every tie spanning rows routed around nodes."""
    LAYERED_STRAIGHT = "layered-straight"
    """The same, but the ties spanning the most rows are drawn straight (no ``bends``)."""
    ROWS = "rows"
    """Rows in reporting-tree order, packed left to right: no crossing reduction or
    placement (only when the work budget allowed nothing more)."""


class MapLayoutInfo(_Frozen):
    """How the layout was made, and whether the work budget cut it short."""

    method: LayoutMethod
    degraded: bool = Field(
        description="The per-request work budget cut something a full layout would have "
        "done (fewer crossing-reduction sweeps, more ties drawn straight, fewer placement "
        "rounds); the response also carries `Stakemap-Layout: degraded`"
    )
    reason: str | None = Field(
        default=None, description="Why this method, or what the budget cut, in words"
    )
    work: int = Field(ge=0, description="Work units spent")
    budget: int = Field(ge=0, description="Work units allowed (STAKEMAP_LAYOUT_WORK_BUDGET)")
    sweeps: int = Field(ge=0, description="Crossing-reduction sweeps run")
    straight: int = Field(ge=0, description="Ties spanning several rows drawn straight")


class MapMeta(_Frozen):
    """The map as a whole (Cytoscape.js core ``data``)."""

    org_id: str | None = None
    org_name: str | None = None
    version: int | None = None
    as_of: date = Field(description="Date tie ages were measured at (engagement, paths)")
    people: int = Field(ge=0)
    team: int = Field(ge=0)
    top_id: str | None = Field(default=None, description="The top decision-maker")
    top_name: str | None = None
    team_band: str = Field(default="bottom", description="Where our team is drawn")
    layers: int = Field(ge=0, description="Rows, our team's included")
    width: float = Field(ge=0, description="Width of the drawing")
    height: float = Field(ge=0, description="Height of the drawing")
    crossings: int = Field(
        ge=0,
        description="Edge crossings between adjacent rows (of the ties routed through the "
        "rows; those drawn straight are not counted)",
    )
    initial_crossings: int = Field(
        ge=0, description="Crossings of the initial (tree) order, before the sweeps"
    )
    layout: MapLayoutInfo
    highlight: Highlight | None = None
    path: EntryPath | None = Field(default=None, description="The highlighted path")


class PowerMap(_Frozen):
    """A Cytoscape.js document: core ``data`` and ``elements`` with preset positions."""

    data: MapMeta
    elements: MapElements
