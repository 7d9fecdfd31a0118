"""Enumerations and shared building blocks of the graph model (BRIEF §2)."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, StringConstraints


class Stance(StrEnum):
    """A stakeholder's attitude toward us, best first."""

    CHAMPION = "champion"
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    SKEPTIC = "skeptic"
    OPPONENT = "opponent"


class BuyingRole(StrEnum):
    """Miller Heiman buying influences plus the common CRM contact roles."""

    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    TECHNICAL_BUYER = "technical_buyer"
    USER_BUYER = "user_buyer"
    COACH = "coach"
    INFLUENCER = "influencer"
    GATEKEEPER = "gatekeeper"
    EVALUATOR = "evaluator"
    EXECUTIVE_SPONSOR = "executive_sponsor"


#: Roles that carry the authority to sign off a purchase.
DECISION_ROLES: frozenset[BuyingRole] = frozenset(
    {BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER, BuyingRole.EXECUTIVE_SPONSOR}
)


class PersonStatus(StrEnum):
    """Whether a stakeholder is still at the organisation (docs/ANALYTICS.md, "People who
    move")."""

    ACTIVE = "active"
    #: gone (from ``left_on``): no power, no role, no target; their ties still introduce
    LEFT = "left"
    #: away for a while: keeps power and roles; introductions through them are slower
    ON_LEAVE = "on_leave"


class StrengthSource(StrEnum):
    """Where a tie's ``strength`` comes from (docs/ANALYTICS.md, "Interactions")."""

    #: set by a user or an import; kept until the user clears it
    MANUAL = "manual"
    #: derived from the interactions logged between the pair
    INTERACTIONS = "interactions"


class Seniority(StrEnum):
    """Coarse job level, highest first; used where the reporting tree is silent."""

    EXECUTIVE = "executive"
    VP = "vp"
    DIRECTOR = "director"
    MANAGER = "manager"
    INDIVIDUAL = "individual"
    #: assistants, interns, trainees, apprentices: below the individual contributors
    JUNIOR = "junior"


class JobFunction(StrEnum):
    """The business function a job title belongs to (inferred from the title, never stored).

    ``executive`` is general management (CEO, president, managing director, their office);
    a C-level title of a function (CFO, CTO) belongs to that function.
    """

    EXECUTIVE = "executive"
    FINANCE = "finance"
    TECHNOLOGY = "technology"
    OPERATIONS = "operations"
    PROCUREMENT = "procurement"
    SALES = "sales"
    MARKETING = "marketing"
    HR = "hr"
    LEGAL = "legal"
    OTHER = "other"


class RelType(StrEnum):
    """The allow-list of relationship types; Cypher never sees any other."""

    REPORTS_TO = "REPORTS_TO"
    INFLUENCES = "INFLUENCES"
    KNOWS = "KNOWS"
    AFFILIATED_WITH = "AFFILIATED_WITH"


class NodeKind(StrEnum):
    """The allow-list of node labels."""

    ORGANISATION = "Organisation"
    PERSON = "Person"
    TEAM_MEMBER = "TeamMember"


class AffiliationRole(StrEnum):
    """How a person is tied to another organisation."""

    BOARD = "board"
    ADVISOR = "advisor"
    FORMER_EMPLOYEE = "former_employee"
    INVESTOR = "investor"


class KeyRole(StrEnum):
    """API key roles, least privileged first."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(KeyRole).index(self)

    def allows(self, required: KeyRole) -> bool:
        """Whether a key with this role may do what ``required`` needs."""
        return self.rank >= required.rank


#: Longest id accepted anywhere (path, query or body); ours are 36-character UUIDs.
MAX_ID_LENGTH = 100
#: An id in a request body (e.g. ``parent_id``).
Id = Annotated[str, StringConstraints(max_length=MAX_ID_LENGTH)]
#: RFC 5321's limit on a forward path.
MAX_EMAIL_LENGTH = 254
Email = Annotated[EmailStr, Field(max_length=MAX_EMAIL_LENGTH)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
#: Numbers and flags of request bodies are strict: ``"0.5"`` or ``false`` is not a number, as
#: the OpenAPI schema says (pydantic's lax mode would take them).
Strength = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, strict=True)]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """A day in a query string is ``YYYY-MM-DD``, as the schema says: pydantic would also
    take ``0`` (a Unix time) or ``2026-03-01T10:00``."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


#: A day in a query string (``?as_of=``, ``?since=``): ``YYYY-MM-DD`` only.
IsoDay = Annotated[date, BeforeValidator(_iso_day)]


class InputModel(BaseModel):
    """Base of every request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class StoredModel(BaseModel):
    """Fields every stored node and edge carries."""

    model_config = ConfigDict(frozen=True)

    id: str
    tenant: str
    created_at: datetime
    updated_at: datetime
    version: int


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[ItemT]
    next_cursor: str | None = None
