"""Conversions between stored rows (plain dicts, as both stores return them) and schemas.

Both stores keep time stamps as ISO-8601 strings and roles as a list, so one set of
converters serves both adapters and snapshots compare equal across stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from schemas.deals import CommitteeSeatPublic, OpportunityPublic
from schemas.interactions import InteractionPublic
from schemas.keys import ApiKeyPublic
from schemas.resources import (
    OrganisationPublic,
    PersonPublic,
    RelationshipPublic,
    TeamMemberPublic,
)

ORGANISATION_FIELDS = (
    "name",
    "industry",
    "tier",
    "current_revenue",
    "potential_revenue",
    "external_id",
    "parent_id",
)
PERSON_FIELDS = (
    "name",
    "title",
    "department",
    "email",
    "seniority",
    "roles",
    "stance",
    "influence",
    "notes",
    "external_id",
    "status",
    "left_on",
)
TEAM_FIELDS = ("name", "title", "seniority", "email")
RELATIONSHIP_FIELDS = (
    "type",
    "source_id",
    "target_id",
    "strength",
    "last_contact",
    "channel",
    "dotted",
    "role",
    "strength_source",
    "derived_strength",
)
INTERACTION_FIELDS = (
    "occurred_on",
    "kind",
    "member_ids",
    "person_ids",
    "summary",
    "sentiment",
    "initiated_by",
)
OPPORTUNITY_FIELDS = (
    "name",
    "amount",
    "currency",
    "stage",
    "status",
    "close_date",
    "trigger",
    "owner_id",
    "external_id",
)
SEAT_FIELDS = ("opportunity_id", "person_id", "roles", "stance", "influence", "is_primary")
STORED_FIELDS = ("id", "tenant", "created_at", "updated_at", "version")


def to_storable(value: Any) -> Any:
    """A value as both stores keep it: enums as their value, dates as ISO strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [to_storable(item) for item in value]
    if hasattr(value, "value"):
        return value.value
    return value


def model_row(model: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The storable dict of a public model: its stored fields plus ``fields``."""
    extra = ("org_id",) if hasattr(model, "org_id") else ()
    return {name: to_storable(getattr(model, name)) for name in STORED_FIELDS + extra + fields}


def organisation_from(row: Mapping[str, Any]) -> OrganisationPublic:
    return OrganisationPublic.model_validate(dict(row))


def person_from(row: Mapping[str, Any]) -> PersonPublic:
    return PersonPublic.model_validate(dict(row))


def team_member_from(row: Mapping[str, Any]) -> TeamMemberPublic:
    return TeamMemberPublic.model_validate(dict(row))


def relationship_from(row: Mapping[str, Any]) -> RelationshipPublic:
    data = dict(row)
    data["dotted"] = bool(data.get("dotted"))
    return RelationshipPublic.model_validate(data)


def interaction_from(row: Mapping[str, Any]) -> InteractionPublic:
    return InteractionPublic.model_validate(dict(row))


def opportunity_from(row: Mapping[str, Any]) -> OpportunityPublic:
    return OpportunityPublic.model_validate(dict(row))


def seat_from(row: Mapping[str, Any]) -> CommitteeSeatPublic:
    data = dict(row)
    data["is_primary"] = bool(data.get("is_primary"))
    return CommitteeSeatPublic.model_validate(data)


def api_key_from(row: Mapping[str, Any]) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate({k: v for k, v in dict(row).items() if k != "secret_hash"})
