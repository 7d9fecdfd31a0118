"""The audit log of the caller's tenant (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import Admin, Cursor, Limit, StoreDep
from app.paging import page_of
from schemas.audit import AuditEntry
from schemas.common import Page

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntry], name="list_audit_entries")
def list_audit(
    store: StoreDep, caller: Admin, limit: Limit = 100, cursor: Cursor = None
) -> Page[AuditEntry]:
    """Every successful write, oldest first: which key did what to which resource, and
    when. Entries hold ids and route names only, never personal data."""
    return page_of(store.list_audit(caller.tenant, limit=limit, after=cursor), limit)
