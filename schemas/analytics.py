"""Request parameters and results of the analytics (BRIEF §3; formulas in docs/ANALYTICS.md).

Parameter models (``InfluenceWeights``, ``PathParams``, ``NextContactParams``) refuse unknown
fields and out-of-range values; result models are frozen and returned by the routes as they
are, so every field says how to read it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.common import BuyingRole, InputModel, Stance

__all__ = [
    "BusFactor",
    "Coverage",
    "CriticalNode",
    "DecisionMaker",
    "DecisionMakers",
    "EngagedPerson",
    "EntryPath",
    "EntryPaths",
    "Fragility",
    "HopRelation",
    "HopVia",
    "InfluenceItem",
    "InfluenceRanking",
    "InfluenceWeights",
    "MemberTies",
    "NextContact",
    "NextContactParams",
    "NextContacts",
    "NodeKind",
    "NodeRef",
    "PathFlag",
    "PathParams",
    "PathStep",
    "PowerComponents",
    "RoleCoverage",
    "StanceShare",
    "TargetSource",
    "TieAge",
]

Weight = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Factor = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

WEIGHT_DECIMALS = 4
"""Decimals kept of each influence weight once divided by their sum."""


class ResultModel(BaseModel):
    """Base of every analytics result: immutable once computed (the lead caches them)."""

    model_config = ConfigDict(frozen=True)


# --- parameters ------------------------------------------------------------------------------


class InfluenceWeights(InputModel):
    """Weights of the four power components; ``power`` divides by their sum."""

    formal: Weight = Field(default=0.35, description="Weight of formal authority (REPORTS_TO)")
    informal: Weight = Field(default=0.30, description="Weight of PageRank over INFLUENCES")
    brokerage: Weight = Field(default=0.15, description="Weight of betweenness on all ties")
    declared: Weight = Field(default=0.20, description="Weight of the declared influence 1-5")

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if self.total <= 0.0:
            raise ValueError("the weights must not all be 0")
        return self

    @property
    def total(self) -> float:
        """Sum of the four weights (always > 0 once validated)."""
        return self.formal + self.informal + self.brokerage + self.declared

    def normalised(self) -> InfluenceWeights:
        """The weights divided by their sum and rounded to ``WEIGHT_DECIMALS`` decimals:
        the weights power is computed with. ``power`` divides by the sum anyway, so only
        the proportions matter; requests whose weights have the same proportions (to the
        4th decimal) share one answer.

        >>> InfluenceWeights(formal=2, informal=1, brokerage=1, declared=0).normalised()
        InfluenceWeights(formal=0.5, informal=0.25, brokerage=0.25, declared=0.0)
        >>> InfluenceWeights(formal=1, informal=1, brokerage=1, declared=0).normalised().formal
        0.3333
        """
        values = (self.formal, self.informal, self.brokerage, self.declared)
        top = max(values)  # scaled first, so four huge weights cannot overflow their sum
        scaled = [value / top for value in values]
        total = sum(scaled)
        formal, informal, brokerage, declared = (
            round(value / total, WEIGHT_DECIMALS) for value in scaled
        )
        return InfluenceWeights(
            formal=formal, informal=informal, brokerage=brokerage, declared=declared
        )


class PathParams(InputModel):
    """Success probabilities of one introduction hop (docs/ANALYTICS.md, "Hop graph")."""

    default_strength: Probability = Field(
        default=0.5, description="Strength assumed for a KNOWS/INFLUENCES tie stored without one"
    )
    half_life_days: float = Field(
        default=180.0,
        gt=0.0,
        le=36_500.0,
        allow_inf_nan=False,
        description="A KNOWS tie of strength 0.5 loses half its strength every this many days "
        "without contact (stronger ties more slowly: see strength_half_life_factor)",
    )
    strength_half_life_factor: float = Field(
        default=4.0,
        ge=1.0,
        le=100.0,
        allow_inf_nan=False,
        description="Half-life of a tie of strength s = half_life_days x this^(s - 0.5): deep "
        "relationships go dormant more slowly than acquaintances (1 = the same for all)",
    )
    undated_decay: Factor = Field(
        default=0.5,
        description="Decay factor of a KNOWS tie with no last_contact (as if one half-life old; "
        "the step says so)",
    )
    stale_after_days: int = Field(
        default=90, ge=0, description="A KNOWS step older than this is flagged stale_tie"
    )
    engaged_threshold: Probability = Field(
        default=0.4,
        description="A person is engaged when a team member's KNOWS tie has effective strength "
        "(strength x decay) at least this and they are not an opponent",
    )
    influence_reverse_factor: Factor = Field(
        default=0.75,
        description="For A INFLUENCES B, the hop B->A is worth strength x this (A->B is strength)",
    )
    reports_up: Probability = Field(
        default=0.35, description="A report introduces you to their solid-line manager"
    )
    reports_down: Probability = Field(
        default=0.6, description="A manager introduces you to a solid-line report"
    )
    dotted_up: Probability = Field(
        default=0.25, description="A report introduces you to a dotted-line manager"
    )
    dotted_down: Probability = Field(
        default=0.4, description="A dotted-line manager introduces you to the report"
    )
    cold_probability: Probability = Field(
        default=0.02, description="A team member approaches a person with no introduction"
    )
    bypass_penalty: Factor = Field(
        default=0.5,
        description="Multiplies a path that reaches an engaged contact's superior from below or "
        "sideways around them",
    )
    champion: Factor = Field(default=1.0, description="Introducer stance factor: champion")
    supporter: Factor = Field(default=0.85, description="Introducer stance factor: supporter")
    neutral: Factor = Field(default=0.6, description="Introducer stance factor: neutral")
    skeptic: Factor = Field(default=0.3, description="Introducer stance factor: skeptic")
    opponent: Factor = Field(
        default=0.01,
        description="Introducer stance factor: opponent (a supporter route wins even against "
        "ties 5x stronger at both ends and a bypass penalty)",
    )

    def stance_factor(self, stance: str) -> float:
        """The factor for an introducer of this stance (unknown values count as neutral)."""
        factors = {
            Stance.CHAMPION.value: self.champion,
            Stance.SUPPORTER.value: self.supporter,
            Stance.NEUTRAL.value: self.neutral,
            Stance.SKEPTIC.value: self.skeptic,
            Stance.OPPONENT.value: self.opponent,
        }
        return factors.get(stance, self.neutral)


class NextContactParams(InputModel):
    """How "who should I reach next" values a candidate (docs/ANALYTICS.md)."""

    power_weight: Weight = Field(default=0.45, description="Weight of the candidate's power")
    role_weight: Weight = Field(
        default=0.30, description="Weight of a buying role nobody we are engaged with holds"
    )
    uplift_weight: Weight = Field(
        default=0.25,
        description="Weight of the rise in best path probability to the top decision-maker",
    )
    hypothetical_strength: Probability = Field(
        default=0.9, description="Strength of the fresh tie assumed when measuring the uplift"
    )
    reach_weight: float = Field(
        default=0.15,
        ge=0.0,
        le=0.15,
        allow_inf_nan=False,
        description="How much reachability may discount value: score = value x (1 - reach_weight"
        " x (1 - reach_factor)); at most 0.15, so that value leads (docs/ANALYTICS.md)",
    )
    paths: PathParams = Field(default_factory=PathParams, description="Hop probabilities")

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if self.power_weight + self.role_weight + self.uplift_weight <= 0.0:
            raise ValueError("the weights must not all be 0")
        return self


# --- influence ranking -------------------------------------------------------------------------


class PowerComponents(ResultModel):
    """The four components of power, each in [0, 1] within the organisation."""

    formal: Unit = Field(
        description="Authority from the reporting tree: 1 = top of the largest tree; people "
        "outside any tree get a seniority-based value below the real tops"
    )
    informal: Unit = Field(
        description="PageRank over INFLUENCES endorsements divided by the org's maximum "
        "(1 = the most endorsed person)"
    )
    brokerage: Unit = Field(
        description="Betweenness centrality over all person-person ties divided by the org's "
        "maximum (1 = the strongest broker; all 0 when nobody lies between others)"
    )
    declared: Unit = Field(
        description="(declared influence - 1) / 4; 0.5 when no influence was declared"
    )


class InfluenceItem(ResultModel):
    """One person's power and its parts."""

    person_id: str
    name: str
    title: str | None = None
    roles: list[BuyingRole] = Field(description="Buying roles the person holds")
    stance: Stance = Field(description="Their stance toward us")
    rank: int = Field(ge=1, description="1 = most powerful; ties by name, then id")
    power: Unit = Field(description="Weighted mean of the components with the response's weights")
    components: PowerComponents
    informal_raw: float = Field(ge=0.0, description="The PageRank value itself (sums to 1)")
    brokerage_raw: float = Field(
        ge=0.0, description="networkx betweenness_centrality(normalized=True) itself"
    )
    reports_under: int = Field(
        ge=0, description="People below them on solid reporting lines (all levels)"
    )
    depth: int | None = Field(
        default=None,
        description="Solid-line levels below the top of their reporting tree (0 = a top); "
        "null when they are in no reporting tree",
    )


class InfluenceRanking(ResultModel):
    """Every person of the organisation, most powerful first."""

    org_id: str | None = None
    version: int | None = Field(default=None, description="Organisation version analysed")
    n: int = Field(ge=0, description="Number of people ranked")
    weights: InfluenceWeights = Field(description="The weights power was computed with")
    brokerage_sampled: bool = Field(
        description="True when betweenness was estimated from a sample of source nodes"
    )
    brokerage_samples: int | None = Field(
        default=None, description="Number of sampled sources (seed 42) when sampled"
    )
    items: list[InfluenceItem]


# --- decision-makers -------------------------------------------------------------------------


class DecisionMaker(ResultModel):
    """A person who can sign off the purchase, and why we think so."""

    person_id: str
    name: str
    title: str | None = None
    roles: list[BuyingRole]
    stance: Stance
    rank: int = Field(ge=1, description="Their rank in the influence ranking")
    power: Unit
    top_of_hierarchy: bool = Field(description="Nobody above them; at least one report")
    reports_under: int = Field(ge=0, description="People below them on solid lines")
    decision_roles: list[BuyingRole] = Field(
        description="Roles they hold among decision_maker, economic_buyer, executive_sponsor"
    )
    inferred: bool = Field(
        default=False,
        description="True when no tree top or decision role exists: this person is listed "
        "as an executive (given seniority, or the one their title implies) or, with no "
        "executive either, as simply the most powerful person",
    )
    reasons: list[str] = Field(description="Why they are listed, in words")


class DecisionMakers(ResultModel):
    """Decision-makers ranked by power; the first is the default entry-path target."""

    org_id: str | None = None
    version: int | None = None
    items: list[DecisionMaker]


# --- entry paths ---------------------------------------------------------------------------


class HopVia(StrEnum):
    """The kind of tie an introduction hop travels along."""

    KNOWS = "KNOWS"
    INFLUENCES = "INFLUENCES"
    REPORTS_TO = "REPORTS_TO"
    COLD = "cold"


class HopRelation(StrEnum):
    """How the hop's source stands to its target."""

    KNOWS = "knows"
    INFLUENCES = "influences"
    INFLUENCED_BY = "influenced_by"
    REPORTS_TO = "reports_to"
    MANAGES = "manages"
    DOTTED_REPORTS_TO = "dotted_reports_to"
    DOTTED_MANAGES = "dotted_manages"
    COLD = "cold"


class TargetSource(StrEnum):
    """How the target of a question was chosen."""

    REQUESTED = "requested"
    TOP_DECISION_MAKER = "top_decision_maker"
    #: with a deal: the committee's decision-maker (the primary one, else the most powerful)
    DEAL_DECISION_MAKER = "deal_decision_maker"
    #: with a deal whose committee names no decision-maker: its economic buyer
    DEAL_ECONOMIC_BUYER = "deal_economic_buyer"


class PathFlag(StrEnum):
    """Risks a path carries."""

    COLD = "cold"
    BYPASSES_CONTACT = "bypasses_contact"
    THROUGH_OPPONENT = "through_opponent"
    STALE_TIE = "stale_tie"
    #: an introduction by someone who has left the organisation (graph.movers)
    FORMER_EMPLOYEE = "former_employee"
    #: a hop to or from someone on leave
    ON_LEAVE = "on_leave"


class PathStep(ResultModel):
    """One introduction: ``from`` introduces us to ``to``."""

    from_id: str
    from_name: str
    to_id: str
    to_name: str
    via: HopVia = Field(description="Tie type used, or cold")
    relation: HopRelation = Field(description="How from stands to to")
    relationship_id: str | None = Field(
        default=None, description="The stored relationship used (null for cold)"
    )
    probability: Probability = Field(
        description="Success probability of this hop (tie x decay x introducer stance)"
    )
    stale: bool = Field(default=False, description="A KNOWS tie without contact for too long")
    undated: bool = Field(
        default=False,
        description="A KNOWS tie with no last_contact: counted at undated_decay (as if one "
        "half-life old)",
    )


class EntryPath(ResultModel):
    """One chain of introductions from a team member to the target."""

    member_id: str = Field(description="The team member the path starts from")
    member_name: str
    steps: list[PathStep]
    probability: Probability = Field(
        gt=0.0, description="Product of the hop probabilities, times the bypass penalty if any"
    )
    raw_probability: Probability = Field(gt=0.0, description="Product before penalties")
    hops: int = Field(ge=1)
    flags: list[PathFlag] = Field(description="Risks, in a fixed order")
    bypassed: list[str] = Field(
        default_factory=list,
        description="Ids of engaged contacts whose superior (manager or skip level) the path "
        "reaches around them, from below or sideways",
    )
    explanation: str = Field(description="The path in one plain-English line")


class EntryPaths(ResultModel):
    """The k most likely introduction chains to a target, most likely first."""

    org_id: str | None = None
    version: int | None = None
    as_of: date = Field(description="Date tie ages were measured at")
    target_id: str | None = None
    target_name: str | None = None
    target_source: TargetSource | None = Field(
        default=None, description="How the target was chosen (null when there is none)"
    )
    member_id: str | None = Field(default=None, description="Only this member's paths; null = all")
    k: int = Field(ge=1)
    include_cold: bool
    exact: bool = Field(
        description="True when no path left unexamined could enter the top k after penalties"
    )
    params: PathParams
    paths: list[EntryPath]
    reason: str | None = Field(default=None, description="Why the list is empty, if it is")


# --- next contacts -------------------------------------------------------------------------


class NextContact(ResultModel):
    """A person worth engaging next, and how to reach them."""

    person_id: str
    name: str
    title: str | None = None
    roles: list[BuyingRole]
    stance: Stance
    rank: int = Field(ge=1)
    power: Unit
    score: Unit = Field(
        description="value x (1 - reach_weight x (1 - reach_factor)); the list is sorted by it"
    )
    value: Unit = Field(description="Weighted mean of power, role_gap and uplift")
    reachability: Probability = Field(
        description="Probability of the path shown (a direct tie of ours when we have one)"
    )
    reach_factor: Unit = Field(
        description="Reachability on a log scale: 0 at 1% or less, 1 at 100%"
    )
    uplift: Unit = Field(
        description="Rise in the best (penalised) path probability to the target if we had a "
        "fresh strong tie with them, as entry-paths would show it"
    )
    role_gap: Unit = Field(description="Value of the uncovered buying roles they hold (0..1)")
    uncovered_roles: list[BuyingRole] = Field(
        description="Their roles that nobody we are engaged with holds"
    )
    current_tie: float | None = Field(
        default=None, description="Effective strength of an existing (too weak) tie, if any"
    )
    direct_tie: bool = Field(
        default=False,
        description="One of our members already knows them: the path is that tie (reactivate "
        "it rather than ask a colleague of theirs)",
    )
    path: EntryPath | None = Field(description="The best path that reaches them")
    reasons: list[str]


class NextContacts(ResultModel):
    """Who to reach next, best first."""

    org_id: str | None = None
    version: int | None = None
    as_of: date
    member_id: str | None = None
    target_id: str | None = Field(default=None, description="The target uplift is measured to")
    target_name: str | None = None
    target_source: TargetSource | None = Field(
        default=None, description="How the target was chosen (null when there is none)"
    )
    current_best_probability: Probability = Field(
        description="Best path probability to the target today, penalties applied (the top "
        "entry path)"
    )
    exact: bool = Field(
        description="True only when the list is guaranteed to be the true top by score (every "
        "path search behind it was exact)"
    )
    params: NextContactParams
    items: list[NextContact]
    reason: str | None = None


# --- coverage ------------------------------------------------------------------------------


class NodeKind(StrEnum):
    """Whose side a node is on."""

    PERSON = "person"
    MEMBER = "member"


class NodeRef(ResultModel):
    """A person or team member by id and name."""

    id: str
    name: str


class EngagedPerson(ResultModel):
    """Someone we have a working tie with."""

    person_id: str
    name: str
    power: Unit
    strength: float = Field(description="Best effective strength of a team member's tie")
    member_ids: list[str] = Field(description="Team members whose tie is strong enough")


class RoleCoverage(ResultModel):
    """Who holds a buying role, and whether we are engaged with one of them."""

    role: BuyingRole
    holders: list[str] = Field(description="Ids of people holding the role")
    engaged_holders: list[str] = Field(
        description="Those of them we are engaged with (never an opponent)"
    )
    opponent_holders: list[str] = Field(
        default_factory=list, description="Those of them who oppose us: a risk, never coverage"
    )
    covered: bool


class MemberTies(ResultModel):
    """One team member's ties into the organisation."""

    member_id: str
    name: str
    ties: int = Field(ge=0, description="People they have a KNOWS tie with")
    engaged: int = Field(ge=0, description="Of which strong enough to count as engaged")
    stale: int = Field(ge=0, description="Of which without contact for too long")


class TieAge(ResultModel):
    """A team member's KNOWS tie and how long since the last contact."""

    member_id: str
    member_name: str
    person_id: str
    person_name: str
    last_contact: date | None
    days_since: int | None = Field(description="Days from last_contact to as_of")
    strength: float = Field(description="Stored strength (default applied)")


class StanceShare(ResultModel):
    """How much of the organisation's power holds one stance."""

    stance: Stance
    people: int = Field(ge=0)
    power: float = Field(ge=0.0, description="Sum of their power")
    share: Unit = Field(description="Their power / everybody's power")


class BusFactor(ResultModel):
    """How fragile our warm access to the top decision-maker is (cold hops ignored)."""

    target_id: str | None = None
    target_name: str | None = None
    reachable: bool = Field(description="Some warm path leads from our team to the target")
    connectivity: int = Field(
        ge=0,
        description="Node-disjoint warm paths from our team to the target: how many people "
        "(ours or theirs) must drop out to cut every warm path",
    )
    critical_members: list[NodeRef] = Field(
        description="Team members on every warm path (losing one cuts us off)"
    )
    critical_people: list[NodeRef] = Field(
        description="Stakeholders on every warm path (cut vertices), nearest to us first"
    )


class CriticalNode(ResultModel):
    """Someone whose loss would cut our best chance of reaching the target."""

    id: str
    name: str
    kind: NodeKind = Field(description="person (theirs) or member (ours)")
    probability_after: Probability = Field(
        description="Best warm path probability to the target without them"
    )
    drop_share: Unit = Field(description="1 - probability_after / best_probability")
    path_share: Unit = Field(
        description="Their share of the summed probability of the top warm paths"
    )


class Fragility(ResultModel):
    """Whose loss would cut our best warm path to the target, by how much."""

    target_id: str | None = None
    best_probability: Probability = Field(
        description="Best warm (no cold hop) path probability to the target, penalties applied"
    )
    threshold: Unit = Field(description="A loss is critical when drop_share is at least this")
    paths_considered: int = Field(ge=0, description="Warm paths path_share is measured over")
    critical: list[CriticalNode] = Field(description="Biggest drop first")


class RedFlagCode(StrEnum):
    """Blue-Sheet red flags of a deal, most severe first (docs/ANALYTICS.md, "Deals")."""

    ECONOMIC_BUYER_OPPONENT = "economic_buyer_opponent"
    DECISION_MAKER_UNREACHABLE = "decision_maker_unreachable"
    ECONOMIC_BUYER_UNCOVERED = "economic_buyer_uncovered"
    NO_COACH = "no_coach"
    SINGLE_THREADED = "single_threaded"
    CLOSE_DATE_NEAR = "close_date_near"


class RedFlag(ResultModel):
    code: RedFlagCode
    message: str
    person_ids: list[str] = Field(default_factory=list, description="Who the flag is about")


class DealRoleHolder(ResultModel):
    person_id: str
    name: str
    stance: Stance = Field(description="Their stance on this deal")
    best_tie: str | None = Field(
        default=None, description="The team member with the warmest tie to them (none: null)"
    )
    warmth: Unit = Field(description="That tie's strength after decay (0 without a tie)")


class DealRole(ResultModel):
    role: BuyingRole
    holders: list[DealRoleHolder] = Field(description="Committee members holding the role")


class DealCoverage(ResultModel):
    """A deal's buying influences and red flags (Miller Heiman Blue Sheet)."""

    opportunity_id: str
    name: str
    stage: str
    status: str
    close_date: date | None = None
    days_to_close: int | None = Field(
        default=None, description="Days from as_of to the close date (negative: passed)"
    )
    committee_size: int = Field(ge=0)
    committee_engaged: int = Field(ge=0, description="Committee members we are engaged with")
    best_warm_probability: Probability = Field(
        description="Best chance to reach the deal's target without a cold approach"
    )
    roles: list[DealRole] = Field(description="Every buying role, in the enum's order")
    red_flags: list[RedFlag] = Field(description="Most severe first")


class Coverage(ResultModel):
    """How well our team covers the organisation."""

    org_id: str | None = None
    version: int | None = None
    as_of: date
    target_id: str | None = None
    target_name: str | None = None
    target_source: TargetSource | None = Field(
        default=None, description="How the target was chosen (null when there is none)"
    )
    people: int = Field(ge=0, description="People in the organisation")
    engaged: list[EngagedPerson] = Field(
        description="People we have a working tie with (opponents excluded)"
    )
    engaged_opponents: list[EngagedPerson] = Field(
        default_factory=list,
        description="Opponents we know well: a risk to manage, never counted as coverage",
    )
    engaged_power_share: Unit = Field(description="Their power / everybody's power")
    roles: list[RoleCoverage] = Field(description="Every buying role, in the enum's order")
    roles_covered: list[BuyingRole] = Field(description="Held by someone we are engaged with")
    roles_missing: list[BuyingRole] = Field(
        description="Held by someone in the org, but nobody we are engaged with"
    )
    roles_unassigned: list[BuyingRole] = Field(description="Held by nobody in the org")
    single_threaded: bool = Field(description="Exactly one team member holds every tie")
    threaded_members: int = Field(ge=0, description="Team members with at least one tie")
    ties_per_member: list[MemberTies]
    stale_after_days: int = Field(ge=0)
    stale_ties: list[TieAge] = Field(description="Ties last used more than stale_after_days ago")
    undated_ties: list[TieAge] = Field(description="Ties with no last_contact recorded")
    stance_shares: list[StanceShare] = Field(description="One entry per stance, best first")
    fragility: Fragility = Field(
        description="Whose loss would cut our best warm path probability to the target"
    )
    bus_factor: BusFactor
    deal: DealCoverage | None = Field(
        default=None, description="With `opportunity_id`: the deal's roles and red flags"
    )
