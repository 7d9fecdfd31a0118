"""Deals: opportunities under an organisation and their buying committees (BRIEF §2).

A deal's **buying committee** says, for this one deal, which buying roles a person of the
organisation holds and where they stand (Salesforce OpportunityContactRole; the Blue Sheet's
buying influences per single sales objective). With a deal, a committee member's roles and
stance replace their own and everyone else holds no role for it (docs/ANALYTICS.md, "Deals").
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from schemas.common import (
    BuyingRole,
    Id,
    InputModel,
    Name,
    ShortText,
    Stance,
    StoredModel,
)
from schemas.money import AMOUNT_PATTERN, CURRENCY_MINOR_UNITS, normalise_amount

__all__ = [
    "SALESFORCE_STAGE_LABELS",
    "URGENCY",
    "CommitteeSeatPublic",
    "CommitteeSeatPut",
    "OpportunityCreate",
    "OpportunityPublic",
    "OpportunityStage",
    "OpportunityStatus",
    "OpportunityUpdate",
    "PurchaseTrigger",
    "Urgency",
    "check_money",
    "merged_deal",
    "reconcile_stage",
]


class OpportunityStage(StrEnum):
    """Salesforce's default opportunity stages, in the order a deal moves through them."""

    PROSPECTING = "prospecting"
    QUALIFICATION = "qualification"
    NEEDS_ANALYSIS = "needs_analysis"
    VALUE_PROPOSITION = "value_proposition"
    ID_DECISION_MAKERS = "id_decision_makers"
    PERCEPTION_ANALYSIS = "perception_analysis"
    PROPOSAL_PRICE_QUOTE = "proposal_price_quote"
    NEGOTIATION_REVIEW = "negotiation_review"
    CLOSED_WON = "closed_won"
    CLOSED_LOST = "closed_lost"


#: The label Salesforce shows (and exports) for each stage: accepted on import, written on
#: export.
SALESFORCE_STAGE_LABELS: dict[OpportunityStage, str] = {
    OpportunityStage.PROSPECTING: "Prospecting",
    OpportunityStage.QUALIFICATION: "Qualification",
    OpportunityStage.NEEDS_ANALYSIS: "Needs Analysis",
    OpportunityStage.VALUE_PROPOSITION: "Value Proposition",
    OpportunityStage.ID_DECISION_MAKERS: "Id. Decision Makers",
    OpportunityStage.PERCEPTION_ANALYSIS: "Perception Analysis",
    OpportunityStage.PROPOSAL_PRICE_QUOTE: "Proposal/Price Quote",
    OpportunityStage.NEGOTIATION_REVIEW: "Negotiation/Review",
    OpportunityStage.CLOSED_WON: "Closed Won",
    OpportunityStage.CLOSED_LOST: "Closed Lost",
}


class OpportunityStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


#: The stage that each closed status requires (and implies).
_CLOSED_STAGE = {
    OpportunityStatus.WON: OpportunityStage.CLOSED_WON,
    OpportunityStatus.LOST: OpportunityStage.CLOSED_LOST,
}


class PurchaseTrigger(StrEnum):
    """Why the client buys (the key-account method's purchase triggers); it sets urgency."""

    PLANNED_REPLACEMENT = "planned_replacement"
    UNPLANNED_REPLACEMENT = "unplanned_replacement"
    CATCHING_UP = "catching_up"
    COMPETITIVE_EDGE = "competitive_edge"


class Urgency(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


#: How urgent each trigger makes a purchase, and why (docs/ANALYTICS.md, "Deals"):
#: something broke (unplanned replacement) or the client fell behind its market (catching
#: up): they must act now; a planned replacement is budgeted and has a known date; keeping a
#: competitive edge is discretionary and the first thing deferred.
URGENCY: dict[PurchaseTrigger, Urgency] = {
    PurchaseTrigger.UNPLANNED_REPLACEMENT: Urgency.HIGH,
    PurchaseTrigger.CATCHING_UP: Urgency.HIGH,
    PurchaseTrigger.PLANNED_REPLACEMENT: Urgency.MEDIUM,
    PurchaseTrigger.COMPETITIVE_EDGE: Urgency.LOW,
}

Amount = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=30),
    Field(
        description='A decimal string, e.g. `"125000.00"`, with at most the currency\'s minor '
        "units (answered with exactly that many)",
        examples=["125000.00"],
    ),
]
Currency = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=3, max_length=3),
    Field(description="ISO 4217 code, e.g. `EUR`", examples=["EUR"]),
]


def reconcile_stage(
    stage: OpportunityStage | None, status: OpportunityStatus | None
) -> tuple[OpportunityStage, OpportunityStatus]:
    """The stage and status of a deal, one implied by the other: ``closed_won`` if and only
    if ``won``, ``closed_lost`` if and only if ``lost``; every other stage is ``open``.

    Raises ``ValueError`` when both are given and disagree.

    >>> reconcile_stage(None, None)
    (<OpportunityStage.PROSPECTING: 'prospecting'>, <OpportunityStatus.OPEN: 'open'>)
    >>> reconcile_stage(OpportunityStage.CLOSED_WON, None)[1]
    <OpportunityStatus.WON: 'won'>
    >>> reconcile_stage(None, OpportunityStatus.LOST)[0]
    <OpportunityStage.CLOSED_LOST: 'closed_lost'>
    >>> reconcile_stage(OpportunityStage.NEGOTIATION_REVIEW, OpportunityStatus.WON)
    Traceback (most recent call last):
    ...
    ValueError: stage negotiation_review does not fit status won (won needs closed_won)
    """
    implied_status = next(
        (st for st, closed in _CLOSED_STAGE.items() if closed is stage), OpportunityStatus.OPEN
    )
    if stage is not None and status is not None and status is not implied_status:
        needs = _CLOSED_STAGE.get(status)
        hint = f"{status} needs {needs}" if needs else f"{stage} means {implied_status}"
        raise ValueError(f"stage {stage} does not fit status {status} ({hint})")
    if stage is None:
        if status is None or status is OpportunityStatus.OPEN:
            return OpportunityStage.PROSPECTING, OpportunityStatus.OPEN
        return _CLOSED_STAGE[status], status
    return stage, implied_status


def check_money(amount: str | None, currency: str | None) -> str | None:
    """The normalised amount; ``ValueError`` naming the field when amount and currency do
    not fit together."""
    if currency is not None and currency not in CURRENCY_MINOR_UNITS:
        raise ValueError(f"currency: {currency!r} is not an ISO 4217 currency code")
    if amount is None:
        return None
    if currency is None:
        raise ValueError("amount: an amount needs a currency")
    try:
        return normalise_amount(amount, currency)
    except ValueError as exc:
        raise ValueError(f"amount: {exc}") from None


# --- opportunities -----------------------------------------------------------------------


class OpportunityFields(InputModel):
    #: a create needs a currency with an amount; an update may rely on the stored one
    currency_required: ClassVar[bool] = False

    # currency before amount, and stage before status: each validator sees the other
    currency: Currency | None = None
    amount: Amount | None = None
    stage: OpportunityStage | None = Field(
        default=None,
        description="Default `prospecting`, or the closed stage of a closed `status`",
    )
    status: OpportunityStatus | None = Field(
        default=None,
        description="Implied by the stage when left out: `closed_won` is `won`, "
        "`closed_lost` is `lost`, any other stage `open`; a mismatch is refused",
    )
    close_date: date | None = Field(default=None, description="Expected (or actual) close")
    trigger: PurchaseTrigger | None = Field(
        default=None, description="Why they buy: it sets the deal's `urgency`"
    )
    owner_id: Id | None = Field(default=None, description="The team member who owns the deal")
    external_id: ShortText | None = None

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str | None) -> str | None:
        if currency is not None and currency not in CURRENCY_MINOR_UNITS:
            raise ValueError(f"{currency!r} is not an ISO 4217 currency code")
        return currency

    @field_validator("amount")
    @classmethod
    def _amount_fits_currency(cls, amount: str | None, info: ValidationInfo) -> str | None:
        if amount is None:
            return None
        if "currency" not in info.data:
            return amount  # the currency is invalid: that is the error to report
        currency = info.data["currency"]
        if currency is not None:
            return normalise_amount(amount, currency)
        if cls.currency_required:
            raise ValueError("an amount needs a currency")
        if not AMOUNT_PATTERN.match(amount):  # the stored currency decides the decimals
            raise ValueError('must be a non-negative decimal string such as "125000.00"')
        return amount

    @field_validator("status")
    @classmethod
    def _status_fits_stage(
        cls, status: OpportunityStatus | None, info: ValidationInfo
    ) -> OpportunityStatus | None:
        stage = info.data.get("stage")
        if stage is not None and status is not None:
            reconcile_stage(stage, status)
        return status


class OpportunityCreate(OpportunityFields):
    currency_required: ClassVar[bool] = True

    name: Name

    @model_validator(mode="after")
    def _stage_and_status(self) -> Self:
        self.stage, self.status = reconcile_stage(self.stage, self.status)
        return self


class OpportunityUpdate(OpportunityFields):
    """Partial update; fields left out keep their value, ``null`` clears optional ones.
    Changing ``stage`` alone moves ``status`` with it (and the other way round); an amount
    is checked against the currency that will be stored."""

    name: Name | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for required in ("name", "stage", "status"):
            if required in self.model_fields_set and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be null")
        return self


def merged_deal(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A stored opportunity's fields with a partial update applied, made consistent: the
    one of stage and status the update names sets the other, and the amount is written
    with the (possibly new) currency's minor units.

    Raises ``ValueError`` whose text starts with the field at fault.

    >>> row = {"stage": "negotiation_review", "status": "open", "amount": "10.00",
    ...        "currency": "EUR"}
    >>> merged_deal(row, {"stage": "closed_won"})["status"]
    'won'
    >>> merged_deal(row, {"currency": "KWD"})["amount"]
    '10.000'
    >>> merged_deal(row, {"currency": "JPY"})
    Traceback (most recent call last):
    ...
    ValueError: amount: JPY amounts have no decimals
    """
    merged = {**stored, **changes}
    stage = OpportunityStage(merged["stage"])
    status = OpportunityStatus(merged["status"])
    if "stage" in changes and "status" not in changes:
        stage, status = reconcile_stage(stage, None)
    elif "status" in changes and "stage" not in changes:
        if status is OpportunityStatus.OPEN and stage in _CLOSED_STAGE.values():
            raise ValueError("stage: name the open stage the deal is back in")
        if status is not OpportunityStatus.OPEN:
            stage = _CLOSED_STAGE[status]
    else:
        try:
            stage, status = reconcile_stage(stage, status)
        except ValueError as exc:
            raise ValueError(f"stage: {exc}") from None
    merged["stage"], merged["status"] = stage.value, status.value
    merged["amount"] = check_money(merged.get("amount"), merged.get("currency"))
    return merged


class OpportunityPublic(StoredModel):
    org_id: str
    name: str
    amount: str | None = None
    currency: str | None = None
    stage: OpportunityStage = OpportunityStage.PROSPECTING
    status: OpportunityStatus = OpportunityStatus.OPEN
    close_date: date | None = None
    trigger: PurchaseTrigger | None = None
    owner_id: str | None = None
    external_id: str | None = None

    @computed_field(  # type: ignore[prop-decorator]
        description="How urgent the trigger makes the purchase (null without a trigger)"
    )
    @property
    def urgency(self) -> Urgency | None:
        return None if self.trigger is None else URGENCY[self.trigger]

    @computed_field(  # type: ignore[prop-decorator]
        description="The stage as Salesforce labels it (what an export writes)"
    )
    @property
    def stage_label(self) -> str:
        return SALESFORCE_STAGE_LABELS[self.stage]


# --- buying committee --------------------------------------------------------------------

RoleList = Annotated[list[BuyingRole], Field(max_length=len(BuyingRole))]


class CommitteeSeatFields(InputModel):
    roles: RoleList = Field(description="The person's buying roles in this deal (may be empty)")
    stance: Stance = Field(description="Where the person stands on this deal")
    influence: Annotated[int, Field(ge=1, le=5, strict=True)] | None = Field(
        default=None, description="Declared influence on this deal (1-5); default: their own"
    )
    is_primary: bool = Field(
        default=False,
        strict=True,
        description="The deal's primary contact (Salesforce IsPrimary): at most one per deal; "
        "naming a new one makes the previous one not primary",
    )

    @field_validator("roles")
    @classmethod
    def _dedupe_roles(cls, roles: list[BuyingRole]) -> list[BuyingRole]:
        return sorted(set(roles), key=list(BuyingRole).index)


class CommitteeSeatPut(CommitteeSeatFields):
    """A person's seat on a deal's buying committee, created or replaced whole."""


class CommitteeSeatPublic(StoredModel):
    org_id: str
    opportunity_id: str
    person_id: str
    roles: list[BuyingRole] = Field(default_factory=list)
    stance: Stance = Stance.NEUTRAL
    influence: int | None = None
    is_primary: bool = False
