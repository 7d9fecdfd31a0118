"""Heavy graph kernels, fast, with exactly networkx's numbers.

NetworkX stays the graph model and the reference; the kernels here only compute the same
numbers faster, and ``tests/analytics/test_kernels.py`` proves them equal to networkx to
1e-9 on random graphs.

* :func:`betweenness` exact -- Brandes' algorithm in rustworkx
  (``rustworkx.graph_betweenness_centrality``, normalised as networkx normalises an
  undirected graph: by ``(n - 1)(n - 2)``, endpoints excluded), about 15-25x faster than
  ``networkx.betweenness_centrality`` at 1,000-2,000 nodes (``bench/analytics_bench.py``).
* :func:`betweenness` sampled -- the estimate ``networkx.betweenness_centrality(G, k,
  seed=seed)`` makes from ``k`` sampled sources (drawn exactly as networkx draws them), with
  the breadth-first searches of many sources run at once on sparse matrices (scipy), level by
  level: about 5-12x faster than networkx's loop at 1,000-5,000 nodes. rustworkx cannot
  restrict the sources.

PageRank is not here on purpose: ``rustworkx.pagerank`` stops on a different criterion
(its numbers differ from networkx's by up to 2e-5) and fails to converge when an edge has
weight 0, while ``networkx.pagerank`` costs milliseconds at these sizes.

rustworkx holds the GIL while it computes, which would stall a server's event loop and
every other request for the whole computation; pass an ``executor`` (a process pool, see
:func:`kernel_pool`) to run the kernels of graphs of ``OFFLOAD_MIN_NODES`` or more nodes in
another process.
"""

from __future__ import annotations

import logging
import multiprocessing
import random
from collections.abc import Callable, Hashable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from functools import partial
from typing import TypeVar

import networkx as nx
import numpy as np
import numpy.typing as npt
import rustworkx as rx
import scipy.sparse as sparse  # type: ignore[import-untyped]

from graph.messages import current_language, language

__all__ = ["BATCH_CELLS", "OFFLOAD_MIN_NODES", "betweenness", "kernel_pool", "offload"]

BATCH_CELLS = 2_000_000
"""The sampled kernel searches from ``BATCH_CELLS // n`` sources at once (at least one),
so its working arrays stay around ``20 x BATCH_CELLS`` bytes (40 MB) whatever the graph."""

OFFLOAD_MIN_NODES = 500
"""Graphs this large run in the executor when one is given. Below, exact betweenness holds
the GIL for at most about 20 ms (90 ms at 1,000 nodes), about what one slow request costs
anyway, and a round trip to another process is not worth it."""

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def betweenness(
    ties: nx.Graph,
    *,
    samples: int | None = None,
    seed: int = 42,
    executor: Executor | None = None,
) -> dict[Hashable, float]:
    """Normalised shortest-path betweenness of every node of an undirected simple graph.

    Equal (to float rounding) to ``networkx.betweenness_centrality(ties, normalized=True)``,
    or with ``samples``, to ``networkx.betweenness_centrality(ties, k=samples,
    normalized=True, seed=seed)`` (Brandes 2001; sampled: Brandes & Pich 2007).

    Parameters
    ----------
    ties : nx.Graph
        Undirected, not a multigraph; edge attributes are ignored (every edge counts 1).
    samples : int, optional
        Estimate from this many source nodes (``1 <= samples <= n``) instead of all.
    seed : int
        Seeds ``random.Random`` to draw the sources, as networkx does.
    executor : concurrent.futures.Executor, optional
        Where to run the kernel for graphs of ``OFFLOAD_MIN_NODES`` or more nodes.

    Examples
    --------
    >>> values = betweenness(nx.path_graph(["a", "b", "c", "d"]))
    >>> {node: round(value, 4) for node, value in values.items()}
    {'a': 0.0, 'b': 0.6667, 'c': 0.6667, 'd': 0.0}
    >>> values == nx.betweenness_centrality(nx.path_graph(["a", "b", "c", "d"]))
    True
    >>> betweenness(nx.krackhardt_kite_graph(), samples=5)[7] > 0
    True
    """
    if not isinstance(ties, nx.Graph) or ties.is_directed() or ties.is_multigraph():
        raise TypeError("betweenness needs an undirected simple nx.Graph")
    nodes = list(ties)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in ties.edges() if u != v]
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    run: Callable[[], FloatArray]
    if samples is None:
        run = partial(_exact, n, edges)
    else:
        if not 1 <= samples <= n:
            raise ValueError(f"samples must be between 1 and the {n} nodes")
        chosen = random.Random(seed).sample(nodes, samples)
        run = partial(_sampled, n, edges, np.array([index[s] for s in chosen], dtype=np.int64))
    values = offload(run, executor, n)
    return dict(zip(nodes, values.tolist(), strict=True))


def offload(run: Callable[[], T], executor: Executor | None, size: int) -> T:
    """``run()`` in ``executor`` when there is one and ``size`` (nodes) is at least
    ``OFFLOAD_MIN_NODES``, else here; here too when a worker died (killed, out of memory), so
    the request is still answered. ``run`` must pickle (a module-level function or a
    ``functools.partial`` of one). It runs in the caller's language (:mod:`graph.messages`):
    a worker does not inherit the caller's context."""
    if executor is not None and size >= OFFLOAD_MIN_NODES:
        try:
            return executor.submit(partial(_in_language, current_language(), run)).result()
        except BrokenExecutor:
            logger.exception("the kernel executor is broken; computing in this process")
    return run()


def _in_language(lang: str, run: Callable[[], T]) -> T:
    with language(lang):
        return run()


def kernel_pool(workers: int = 1) -> ProcessPoolExecutor:
    """A process pool to pass as ``executor`` (a fresh interpreter per worker, started
    with ``forkserver`` where available, so the caller's threads and locks are not
    inherited). Shut it down when done."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


# --- exact: rustworkx --------------------------------------------------------------------------


def _exact(n: int, edges: IndexArray) -> FloatArray:
    graph = rx.PyGraph(multigraph=False, node_count_hint=n, edge_count_hint=len(edges))
    graph.add_nodes_from(range(n))
    graph.add_edges_from_no_data([(int(u), int(v)) for u, v in edges])
    values = rx.graph_betweenness_centrality(graph, normalized=True, endpoints=False)
    return np.fromiter((values[i] for i in range(n)), dtype=np.float64, count=n)


# --- sampled: many breadth-first searches at once --------------------------------------------


def _sampled(n: int, edges: IndexArray, sources: IndexArray) -> FloatArray:
    """networkx's sampled estimate: the dependencies of the sampled sources, summed and
    rescaled as ``networkx.algorithms.centrality.betweenness._rescale`` does with
    ``sampled_nodes`` and ``endpoints=False`` (networkx >= 3.5)."""
    heads = np.concatenate([edges[:, 0], edges[:, 1]])
    tails = np.concatenate([edges[:, 1], edges[:, 0]])
    adjacency = sparse.csr_array((np.ones(len(heads)), (heads, tails)), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0
    total = np.zeros(n)
    batch = max(1, BATCH_CELLS // n)
    for start in range(0, len(sources), batch):
        total += _dependencies(adjacency, sources[start : start + batch], n)
    pairs = n - 1  # networkx's N: (s, t) pairs that can pass through v, endpoints excluded
    if pairs < 2:
        return total
    k = len(sources)
    scale_source = 1 / ((k - 1) * (pairs - 1)) if k > 1 else float("nan")
    scale_other = 1 / (k * (pairs - 1))
    scale = np.full(n, scale_other)
    scale[np.unique(sources)] = scale_source
    result: FloatArray = total * scale
    return result


def _dependencies(adjacency: sparse.csr_array, sources: IndexArray, n: int) -> FloatArray:
    r"""Brandes' dependencies :math:`\sum_s \delta_s(v)` of a batch of sources.

    Row ``j`` of the ``(b, n)`` arrays is the search from ``sources[j]``, kept flat
    (cell ``j * n + v``). Going down, the frontier of level ``d`` times the adjacency gives
    every neighbour's count of shortest paths through that level; the unvisited ones form
    level ``d + 1``. Going up, each level passes ``(1 + delta_w) / sigma_w`` to its
    neighbours one level nearer the source, which multiply by their own ``sigma`` -- the
    same sums networkx's ``_accumulate_basic`` makes, in another order.
    """
    b = len(sources)
    rows = np.arange(b)
    cells = b * n
    dist = np.full(cells, -1, dtype=np.int32)
    sigma = np.zeros(cells)
    start = rows * n + sources
    dist[start] = 0
    sigma[start] = 1.0
    levels: list[tuple[IndexArray, IndexArray]] = [(rows.astype(np.int64), sources)]
    frontier = sparse.csr_array((np.ones(b), (rows, sources)), shape=(b, n))
    depth = 0
    while True:
        reached = sparse.coo_array(frontier @ adjacency)
        flat = reached.row.astype(np.int64) * n + reached.col
        new = dist[flat] < 0
        if not new.any():
            break
        depth += 1
        r, c, flat = reached.row[new].astype(np.int64), reached.col[new].astype(np.int64), flat[new]
        dist[flat] = depth
        sigma[flat] = reached.data[new]
        levels.append((r, c))
        frontier = sparse.csr_array((reached.data[new], (r, c)), shape=(b, n))
    delta = np.zeros(cells)
    for level in range(len(levels) - 1, 0, -1):
        r, c = levels[level]
        flat = r * n + c
        coefficient = (1.0 + delta[flat]) / sigma[flat]
        passed = sparse.coo_array(sparse.csr_array((coefficient, (r, c)), shape=(b, n)) @ adjacency)
        target = passed.row.astype(np.int64) * n + passed.col
        nearer = dist[target] == level - 1
        target = target[nearer]
        delta[target] += sigma[target] * passed.data[nearer]
    delta[start] = 0.0
    result: FloatArray = delta.reshape(b, n).sum(axis=0)
    return result
