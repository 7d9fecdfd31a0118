"""API keys of the caller's tenant (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.deps import Admin, SettingsDep, StoreDep
from app.security import generate_key, hash_key
from schemas.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_key(
    body: ApiKeyCreate, store: StoreDep, settings: SettingsDep, caller: Admin
) -> ApiKeyCreated:
    """Create a key for the caller's tenant; the secret is in this response only."""
    secret = generate_key()
    digest = hash_key(secret, settings.key_pepper.get_secret_value())
    key = store.create_api_key(caller.tenant, body.role, body.name, digest)
    return ApiKeyCreated(**key.model_dump(), secret=secret)


@router.get("", response_model=list[ApiKeyPublic])
def list_keys(store: StoreDep, caller: Admin) -> list[ApiKeyPublic]:
    """List the tenant's keys (never their secrets), with when each was last used."""
    return store.list_api_keys(caller.tenant)


@router.post("/{key_id}/revoke", response_model=ApiKeyPublic)
def revoke_key(key_id: str, store: StoreDep, caller: Admin) -> ApiKeyPublic:
    """Revoke a key: it stops working at once."""
    return store.revoke_api_key(caller.tenant, key_id)
