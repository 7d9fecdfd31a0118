"""Create / Update / Public models for organisations, people, team members and ties."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Protocol, Self

from pydantic import (
    Field,
    StringConstraints,
    computed_field,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from graph.titles import PersonTitle, describe_person
from schemas.common import (
    AffiliationRole,
    BuyingRole,
    Email,
    Id,
    InputModel,
    JobFunction,
    LongText,
    Name,
    PersonStatus,
    RelType,
    Seniority,
    ShortText,
    Stance,
    StoredModel,
    Strength,
    StrengthSource,
)

Influence = Annotated[
    int, Field(ge=1, le=5, strict=True, description="Declared influence, 1 (low) to 5")
]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
RoleList = Annotated[list[BuyingRole], Field(max_length=len(BuyingRole))]


def _unique_sorted_roles(roles: list[BuyingRole]) -> list[BuyingRole]:
    return sorted(set(roles), key=list(BuyingRole).index)


# --- organisations -----------------------------------------------------------------------


class OrganisationFields(InputModel):
    industry: ShortText | None = None
    tier: (
        Annotated[int, Field(ge=1, le=5, strict=True, description="1 = most strategic")] | None
    ) = None
    current_revenue: Money | None = None
    potential_revenue: Money | None = None
    external_id: ShortText | None = None
    parent_id: Id | None = Field(default=None, description="Parent organisation id")


class OrganisationCreate(OrganisationFields):
    name: Name


class OrganisationUpdate(OrganisationFields):
    #: optional but never null (the schema says so; an explicit null is refused)
    name: Name | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _name_stays_set(self) -> Self:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class OrganisationPublic(StoredModel):
    name: str
    industry: str | None = None
    tier: int | None = None
    current_revenue: float | None = None
    potential_revenue: float | None = None
    external_id: str | None = None
    parent_id: str | None = None


# --- people (their stakeholders) ----------------------------------------------------------


class PersonFields(InputModel):
    title: ShortText | None = None
    department: ShortText | None = None
    email: Email | None = None
    seniority: Seniority | None = None
    roles: list[BuyingRole] = Field(default_factory=list, max_length=len(BuyingRole))
    stance: Stance = Stance.NEUTRAL
    influence: Influence | None = None
    notes: LongText | None = None
    external_id: ShortText | None = None
    status: PersonStatus = Field(
        default=PersonStatus.ACTIVE, description="active, left (see `left_on`) or on_leave"
    )
    left_on: date | None = Field(
        default=None, description="With `status: left`: the day they left (none: unknown)"
    )

    @field_validator("roles")
    @classmethod
    def _dedupe_roles(cls, roles: list[BuyingRole]) -> list[BuyingRole]:
        return _unique_sorted_roles(roles)

    @model_validator(mode="after")
    def _left_on_needs_left(self) -> Self:
        problem = left_on_problem(self.status, self.left_on)
        if problem:
            raise ValueError(problem)
        return self


def left_on_problem(status: PersonStatus, left_on: date | None) -> str | None:
    """Why ``left_on`` does not fit ``status``, or None: only a person who left has one."""
    if left_on is not None and status is not PersonStatus.LEFT:
        return f"left_on applies to status left only, not {status}"
    return None


class PersonCreate(PersonFields):
    name: Name


class PersonUpdate(InputModel):
    """Partial update; fields left out keep their value, ``null`` clears optional ones."""

    name: Name | SkipJsonSchema[None] = None
    title: ShortText | None = None
    department: ShortText | None = None
    email: Email | None = None
    seniority: Seniority | None = None
    roles: RoleList | SkipJsonSchema[None] = Field(
        default=None, description="All the person's roles; `[]` clears them"
    )
    stance: Stance | SkipJsonSchema[None] = None
    influence: Influence | None = None
    notes: LongText | None = None
    external_id: ShortText | None = None
    status: PersonStatus | SkipJsonSchema[None] = Field(
        default=None,
        description="active, left or on_leave; a status other than left clears `left_on`",
    )
    left_on: date | None = Field(default=None, description="With `status: left`: the day they left")

    @field_validator("roles")
    @classmethod
    def _dedupe_roles(cls, roles: list[BuyingRole] | None) -> list[BuyingRole] | None:
        return None if roles is None else _unique_sorted_roles(roles)

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for field in ("name", "stance", "roles", "status"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class PersonPublic(StoredModel):
    """A stakeholder as stored, plus what their title says (derived when read, never stored).

    The attribute ``seniority`` is the stored value; serialised, ``seniority`` is the
    effective one: the given seniority, else the one the title implies
    (``seniority_inferred`` says which). docs/ANALYTICS.md, "Titles".
    """

    org_id: str
    name: str
    title: str | None = None
    department: str | None = None
    email: str | None = None
    seniority: Seniority | None = Field(
        default=None,
        description="The given seniority; when none was given, the one the title implies "
        "(then `seniority_inferred` is true)",
    )
    roles: list[BuyingRole] = Field(default_factory=list)
    stance: Stance = Stance.NEUTRAL
    influence: int | None = None
    notes: str | None = None
    external_id: str | None = None
    status: PersonStatus = PersonStatus.ACTIVE
    left_on: date | None = None

    @property
    def reading(self) -> PersonTitle:
        """Effective seniority, function and suggested roles (graph.titles)."""
        return describe_person(self.title, self.seniority, self.roles)

    @field_serializer("seniority")
    def _effective_seniority(self, seniority: Seniority | None) -> Seniority | None:
        return self.reading.seniority

    @computed_field(  # type: ignore[prop-decorator]
        description="True when `seniority` was inferred from the title (none was given)"
    )
    @property
    def seniority_inferred(self) -> bool:
        return self.reading.seniority_inferred

    @computed_field(  # type: ignore[prop-decorator]
        description="Job function the title implies (null without a title)"
    )
    @property
    def function(self) -> JobFunction | None:
        return self.reading.function

    @computed_field(  # type: ignore[prop-decorator]
        description="True when `function` was inferred from the title"
    )
    @property
    def function_inferred(self) -> bool:
        return self.reading.function_inferred

    @computed_field(  # type: ignore[prop-decorator]
        description="Buying roles the title suggests (a CFO: economic_buyer); never asserted "
        "and never counted in coverage, role gaps or decision-makers"
    )
    @property
    def suggested_roles(self) -> list[BuyingRole]:
        return list(self.reading.suggested_roles)


# --- our team -------------------------------------------------------------------------


class TeamMemberCreate(InputModel):
    name: Name
    title: ShortText | None = None
    seniority: Seniority | None = None
    email: Email | None = None


class TeamMemberUpdate(InputModel):
    name: Name | SkipJsonSchema[None] = None
    title: ShortText | None = None
    seniority: Seniority | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _name_stays_set(self) -> Self:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class TeamMemberPublic(StoredModel):
    name: str
    title: str | None = None
    seniority: Seniority | None = None
    email: str | None = None


# --- relationships ------------------------------------------------------------------------


class RelationshipFields(InputModel):
    type: RelType
    strength: Strength | None = Field(
        default=None, description="Tie strength 0..1 (INFLUENCES, KNOWS); analytics default 0.5"
    )
    last_contact: date | None = Field(default=None, description="KNOWS: date of last contact")
    channel: ShortText | None = Field(default=None, description="KNOWS: how the tie is kept up")
    dotted: bool = Field(
        default=False, strict=True, description="REPORTS_TO: a dotted (matrix) line"
    )
    role: AffiliationRole | None = Field(default=None, description="AFFILIATED_WITH: kind of tie")

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Self:
        problems = tie_field_problems(self)
        if problems:
            raise ValueError("; ".join(reason for _field, reason in problems))
        return self


class _TieFields(Protocol):
    @property
    def type(self) -> RelType: ...
    @property
    def strength(self) -> float | None: ...
    @property
    def last_contact(self) -> date | None: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def dotted(self) -> bool: ...
    @property
    def role(self) -> AffiliationRole | None: ...


def tie_field_problems(tie: _TieFields) -> list[tuple[str, str]]:
    """(field, reason) for each field a tie of its type cannot have: the rule of a created
    tie and of a changed one alike."""
    problems: list[tuple[str, str]] = []
    kind = tie.type
    if kind in (RelType.REPORTS_TO, RelType.AFFILIATED_WITH) and tie.strength is not None:
        problems.append(("strength", f"strength does not apply to {kind}"))
    if kind is not RelType.KNOWS and (tie.last_contact or tie.channel):
        field = "last_contact" if tie.last_contact else "channel"
        problems.append((field, f"last_contact and channel apply to KNOWS only, not {kind}"))
    if kind is not RelType.REPORTS_TO and tie.dotted:
        problems.append(("dotted", f"dotted applies to REPORTS_TO only, not {kind}"))
    if kind is RelType.AFFILIATED_WITH and tie.role is None:
        problems.append(("role", "AFFILIATED_WITH needs a role"))
    if kind is not RelType.AFFILIATED_WITH and tie.role is not None:
        problems.append(("role", f"role applies to AFFILIATED_WITH only, not {kind}"))
    return problems


NodeId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RelationshipCreate(RelationshipFields):
    source_id: NodeId
    target_id: NodeId


class RelationshipUpdate(InputModel):
    """Partial update of a tie; fields left out keep their value, ``null`` clears one. Its
    type and ends never change (delete it and create another); the fields must fit the
    type as on create."""

    strength: Strength | None = Field(
        default=None,
        description="Tie strength 0..1 (INFLUENCES, KNOWS), then kept as set by hand; `null` "
        "clears it: the strength derived from interactions, or the default",
    )
    last_contact: date | None = Field(default=None, description="KNOWS: date of last contact")
    channel: ShortText | None = Field(default=None, description="KNOWS: how the tie is kept up")
    dotted: Annotated[bool, Field(strict=True)] | SkipJsonSchema[None] = Field(
        default=None, description="REPORTS_TO: a dotted (matrix) line"
    )

    @field_validator("dotted")
    @classmethod
    def _dotted_is_true_or_false(cls, value: bool | None) -> bool | None:
        if value is None:
            raise ValueError("dotted is true or false, never null")
        return value


class RelationshipPublic(StoredModel):
    org_id: str
    type: RelType
    source_id: str
    target_id: str
    strength: float | None = None
    strength_source: StrengthSource | None = Field(
        default=None,
        description="`manual`: set by a user or an import, kept until cleared; "
        "`interactions`: derived from the interactions logged between the pair",
    )
    derived_strength: float | None = Field(
        default=None,
        description="KNOWS from a team member: the strength the interaction history supports",
    )
    last_contact: date | None = None
    channel: str | None = None
    dotted: bool = False
    role: AffiliationRole | None = None
