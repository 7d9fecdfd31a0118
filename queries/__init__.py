"""Every Cypher statement Stakemap runs, one named, parameterised file each.

Statements are read once when the Neo4j store starts; a missing name fails then, not on a
request. No statement text is ever built from input: relationship types select one of the
fixed files through the :class:`~schemas.common.RelType` allow-list.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["QueryCatalog", "load_catalog"]


class QueryCatalog:
    """Statement texts by name (the file name without ``.cypher``)."""

    def __init__(self, statements: dict[str, str]) -> None:
        self._statements = statements

    def __getitem__(self, name: str) -> str:
        return self._statements[name]

    def names(self) -> list[str]:
        return sorted(self._statements)

    def require(self, names: list[str]) -> None:
        """Fail at start when a statement the caller relies on is missing."""
        missing = sorted(set(names) - set(self._statements))
        if missing:
            raise LookupError(f"missing Cypher statements in queries/: {', '.join(missing)}")

    def schema(self) -> list[str]:
        """The constraint and index statements, in file-name order."""
        return [self._statements[n] for n in self.names() if n.startswith("schema/")]


def load_catalog() -> QueryCatalog:
    """Read every ``.cypher`` file of this package (``schema/`` ones named ``schema/<file>``).

    >>> catalog = load_catalog()
    >>> "snapshot" in catalog.names()
    True
    """
    root = resources.files(__name__)
    statements: dict[str, str] = {}
    for entry in root.iterdir():
        if entry.name.endswith(".cypher"):
            statements[entry.name.removesuffix(".cypher")] = entry.read_text("utf-8")
    for entry in root.joinpath("schema").iterdir():
        if entry.name.endswith(".cypher"):
            statements["schema/" + entry.name.removesuffix(".cypher")] = entry.read_text("utf-8")
    return QueryCatalog(statements)
