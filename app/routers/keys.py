"""API keys of the caller's tenant (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import Admin, IdempotencyDep, PathId, SettingsDep, StoreDep
from app.idempotency import json_answer
from app.problems import IDEMPOTENCY_RESPONSES, PROBLEM_JSON, problem_body
from app.security import new_key
from graph.idempotency import StoredResponse
from graph.messages import _
from schemas.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic

router = APIRouter(prefix="/v1/keys", tags=["keys"])


def _secret_not_kept(key: ApiKeyCreated) -> StoredResponse:
    """What a retry with the same ``Idempotency-Key`` gets: secrets are never stored, so
    not the key again, but which key the first request made."""
    body = problem_body(
        409,
        _("Already created"),
        _(
            "the first request with this Idempotency-Key created key {key_id}; its secret was "
            "shown only in that answer and is not stored: revoke that key and create another"
        ).format(key_id=key.id),
        extensions={"key_id": key.id},
    )
    return StoredResponse(409, body, (("Content-Type", PROBLEM_JSON),))


@router.post(
    "",
    name="create_api_key",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=IDEMPOTENCY_RESPONSES,
)
def create_key(
    body: ApiKeyCreate,
    store: StoreDep,
    settings: SettingsDep,
    caller: Admin,
    idempotency: IdempotencyDep,
) -> Response:
    """Create a key for the caller's tenant; the secret is in this response only (a retry
    with the same `Idempotency-Key` answers 409 with the key's id, never the secret)."""

    def create() -> ApiKeyCreated:
        made = new_key(settings.key_pepper.get_secret_value())
        key = store.create_api_key(caller.tenant, body.role, body.name, made.secret_hash)
        return ApiKeyCreated(**key.model_dump(), secret=made.secret)

    return idempotency.run_then_record(
        create,
        lambda key: json_answer(status.HTTP_201_CREATED, key),
        keep=_secret_not_kept,
    )


@router.get("", response_model=list[ApiKeyPublic], name="list_api_keys")
def list_keys(store: StoreDep, caller: Admin) -> list[ApiKeyPublic]:
    """List the tenant's keys (never their secrets), with when each was last used."""
    return store.list_api_keys(caller.tenant)


@router.post(
    "/{key_id}/revoke",
    name="revoke_api_key",
    response_model=ApiKeyPublic,
    responses=IDEMPOTENCY_RESPONSES,
)
def revoke_key(
    key_id: PathId, store: StoreDep, caller: Admin, idempotency: IdempotencyDep
) -> Response:
    """Revoke a key: it stops working at once."""
    return idempotency.run_then_record(
        lambda: store.revoke_api_key(caller.tenant, key_id),
        lambda key: json_answer(status.HTTP_200_OK, key),
    )
