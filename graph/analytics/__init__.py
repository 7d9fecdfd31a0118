"""Pure analytics over one organisation's NetworkX graph (BRIEF §3; docs/ANALYTICS.md).

Every function takes the :class:`networkx.MultiDiGraph` made by
:func:`graph.network.build_graph`, never touches a store, caches nothing, and is
deterministic; time enters only as an explicit ``as_of`` date.
"""

from __future__ import annotations

from graph.analytics._common import UnknownNode
from graph.analytics.coverage import coverage
from graph.analytics.decision import find_decision_makers, top_decision_maker
from graph.analytics.influence import influence_csv_rows, rank_influence
from graph.analytics.next_contacts import next_contacts
from graph.analytics.paths import entry_paths

__all__ = [
    "UnknownNode",
    "coverage",
    "entry_paths",
    "find_decision_makers",
    "influence_csv_rows",
    "next_contacts",
    "rank_influence",
    "top_decision_maker",
]
