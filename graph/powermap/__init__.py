"""The power map: a layered drawing of one organisation, and the ways it leaves the service.

Pure functions over the analytics graph (:func:`graph.network.build_graph`) and its influence
ranking, like :mod:`graph.analytics`: :func:`power_map` lays the organisation out and
describes it as Cytoscape.js elements; :func:`render_svg` draws that document as a standalone
SVG; :func:`to_graphml` writes it for Gephi and yEd; :mod:`graph.powermap.export` turns
rankings into the rows of the tenant-wide influence export.
"""

from __future__ import annotations

from graph.layered import count_crossings
from graph.powermap.cytoscape import power_map
from graph.powermap.graphml import to_graphml
from graph.powermap.layout import power_map_layout
from graph.powermap.svg import render_svg

__all__ = ["count_crossings", "power_map", "power_map_layout", "render_svg", "to_graphml"]
