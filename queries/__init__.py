"""Every statement Stakemap runs, one named, parameterised file each, in two dialects.

``queries/<name>.cypher`` is the Neo4j text of a statement and ``queries/sqlite/<name>.sql``
the SQLite one: the same names, the same named parameters (``$tenant`` / ``:tenant``), the
same result columns, so the code above the adapters (:mod:`graph.repositories`) reads one
way whichever store runs. Statements are read once when a store starts; a missing name
fails then, not on a request. No statement text is ever built from input: relationship
types select one of the fixed files through the :class:`~schemas.common.RelType` allow-list.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import resources

__all__ = ["Dialect", "QueryCatalog", "load_catalog"]


class Dialect(StrEnum):
    CYPHER = "cypher"
    SQLITE = "sqlite"


class QueryCatalog:
    """Statement texts by name (the file name without its suffix)."""

    def __init__(self, statements: dict[str, str], dialect: Dialect = Dialect.CYPHER) -> None:
        self._statements = statements
        self.dialect = dialect

    def __getitem__(self, name: str) -> str:
        return self._statements[name]

    def names(self) -> list[str]:
        return sorted(self._statements)

    def require(self, names: list[str] | tuple[str, ...] | frozenset[str]) -> None:
        """Fail at start when a statement the caller relies on is missing."""
        missing = sorted(set(names) - set(self._statements))
        if missing:
            raise LookupError(
                f"missing {self.dialect.value} statements in queries/: {', '.join(missing)}"
            )

    def schema(self) -> list[str]:
        """The constraint and index statements, in file-name order."""
        return [self._statements[n] for n in self.names() if n.startswith("schema/")]


def load_catalog(dialect: Dialect = Dialect.CYPHER) -> QueryCatalog:
    """Read every statement file of one dialect (Cypher ``schema/`` ones as ``schema/<file>``).

    >>> cypher, sql = load_catalog(), load_catalog(Dialect.SQLITE)
    >>> "person_get" in cypher.names() and "person_get" in sql.names()
    True
    """
    root = resources.files(__name__)
    statements: dict[str, str] = {}
    if dialect is Dialect.SQLITE:
        for entry in root.joinpath("sqlite").iterdir():
            if entry.name.endswith(".sql"):
                statements[entry.name.removesuffix(".sql")] = entry.read_text("utf-8")
        return QueryCatalog(statements, dialect)
    for entry in root.iterdir():
        if entry.name.endswith(".cypher"):
            statements[entry.name.removesuffix(".cypher")] = entry.read_text("utf-8")
    for entry in root.joinpath("schema").iterdir():
        if entry.name.endswith(".cypher"):
            statements["schema/" + entry.name.removesuffix(".cypher")] = entry.read_text("utf-8")
    return QueryCatalog(statements, dialect)
