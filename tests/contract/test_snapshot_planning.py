"""Write validation runs against a snapshot outside any store transaction exactly as it runs
inside a write: same errors, same counts (what-if changes are validated like writes)."""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import ValidationFailed
from graph.planning import plan_on_snapshot
from graph.store import GraphStore
from schemas.imports import ImportRequest, ImportResult
from tests.contract.test_store_contract import INVALID_IMPORTS, SMALL, load, new_org

#: Follow-up imports onto SMALL: valid ones, and each invalid one the contract suite knows.
FOLLOW_UPS: dict[str, dict[str, Any]] = {
    "a new report under the CFO": {
        "people": [{"ref": "new", "name": "Nia", "reports_to": "Finn"}],
    },
    "the same graph again": SMALL,
    "a renamed title and a stronger tie": {
        "people": [
            {"ref": "ceo", "name": "Cleo", "title": "Chief Executive"},
            {"ref": "cfo", "name": "Finn"},
        ],
        "relationships": [
            {"type": "INFLUENCES", "source": "cfo", "target": "ceo", "strength": 0.9}
        ],
    },
    **{name: body for name, (body, _) in INVALID_IMPORTS.items()},
}


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except ValidationFailed as exc:
        return "refused", sorted((e.field, e.reason) for e in exc.errors)


def _counts(result: ImportResult) -> tuple[Any, ...]:
    return (result.created, result.updated, result.unchanged, result.removed)


@pytest.mark.parametrize("upsert", [False, True], ids=["plain", "upsert"])
@pytest.mark.parametrize("name", FOLLOW_UPS)
def test_snapshot_validation_equals_the_stores_dry_run(
    store: GraphStore, tenant: str, name: str, upsert: bool
) -> None:
    org_id = new_org(store, tenant)
    load(store, tenant, org_id, SMALL)
    request = ImportRequest.model_validate(FOLLOW_UPS[name])

    in_store = _outcome(
        lambda: store.import_graph(tenant, org_id, request, upsert=upsert, dry_run=True)
    )
    snapshot = store.snapshot(tenant, org_id)
    outside = _outcome(lambda: plan_on_snapshot(snapshot, request, upsert=upsert))

    assert in_store[0] == outside[0]
    if in_store[0] == "refused":
        assert in_store[1] == outside[1]
    else:
        plan = outside[1]
        assert _counts(in_store[1]) == (plan.created, plan.updated, plan.unchanged, plan.removed)
    assert store.snapshot(tenant, org_id) == snapshot  # nothing was written
