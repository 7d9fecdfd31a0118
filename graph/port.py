"""Bulk-import items and outcomes, and the page bound: shared by the store and its callers.

The storage port itself is :mod:`graph.tx` (transactions over named statements); the
service's reads and writes are :mod:`graph.reader` and :mod:`graph.writer`, together
:class:`graph.store.GraphStore`. What follows holds for all of them.

The store passes one contract suite (``tests/contract``) on both adapters. Every method is
scoped by ``tenant``; an id from another tenant behaves exactly like an unknown id.
Every write bumps the version of each organisation whose snapshot it changes.

Updates and deletes take ``expected_version``: when given, the write happens only if the
resource is at that version (checked and written under the resource's write lock, in one
transaction), else :class:`~graph.errors.PreconditionFailed` carries the current version. The
existence check comes first, so another tenant's id answers ``NotFound`` whatever the version.
Creates and imports take ``idempotency`` (:mod:`graph.idempotency`): the response to replay
is stored in the write's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import FieldError
from schemas.imports import ImportRequest, ImportResult
from schemas.resources import (
    OrganisationCreate,
)

#: Largest page a list call returns, whatever the caller asks for.
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class OrgImport:
    """One organisation's part of a bulk import: a stored organisation (``org_id``) or a new
    one (``create``), created in the same transaction as its graph."""

    request: ImportRequest
    org_id: str | None = None
    create: OrganisationCreate | None = None

    def __post_init__(self) -> None:
        if (self.org_id is None) == (self.create is None):
            raise ValueError("an OrgImport names exactly one of org_id and create")


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one :class:`OrgImport`: its result, or why it was refused whole."""

    result: ImportResult | None = None
    errors: list[FieldError] = field(default_factory=list)
    #: the organisation (``OrgImport.org_id``) does not exist in the tenant
    missing: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None
