"""Validate a write against the organisation it lands in, before anything is stored.

Both adapters read an :class:`OrgContext` inside their write transaction (after locking the
organisation), call :func:`plan_import`, and store the returned :class:`ImportPlan` in the
same transaction. So both stores enforce exactly the same rules with the same messages, and
a refused request stores nothing.

An *upsert* import (``upsert=True``) also matches the request against what is stored, so that
loading the same CRM export twice changes nothing:

* a person is the stored person of the organisation with the same ``external_id``; failing
  that, with the same email (ignoring case; only a stored person without an ``external_id``,
  or with the same one); a row with neither is matched by name when exactly one stored person
  has it. A matched person is rewritten, with ``version + 1``, only when a field the request
  sets differs from the stored value; fields the request leaves out keep their value.
* a team member is the stored one with the same email, else the same name; team members are
  never changed by an import (they are tenant-wide; edit them through ``/v1/team``).
* a tie that is already stored (same type and ends; either direction for Person--Person
  ``KNOWS``) is skipped when its fields are equal and updated when they differ.
* ``reports_to`` is the person's solid-line manager: a different stored solid line of that
  person is replaced (removed, and the new one created).
* a ref that names nothing in the request may name a stored person of the organisation by
  ``external_id``, email or (unique) name, or a stored team member by email.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

import networkx as nx
from pydantic import BaseModel

from graph.deal_planning import DealRules, deal_refs
from graph.errors import FieldError, ValidationFailed
from graph.interactions import with_strength_source
from graph.lookup import PERSON_REF, TEAM_REF, Directory
from graph.messages import N_, _
from graph.port import ImportOutcome, OrgImport
from graph.records import (
    OPPORTUNITY_FIELDS,
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    RELATIONSHIP_FIELDS,
    SEAT_FIELDS,
    TEAM_FIELDS,
    model_row,
    to_storable,
)
from schemas.common import RelType, StoredModel, StrengthSource
from schemas.imports import (
    ImportCounts,
    ImportRequest,
    ImportResult,
    PersonImport,
    RelationshipImport,
    TeamImport,
)
from schemas.resources import OrganisationPublic
from schemas.snapshot import OrgSnapshot

__all__ = [
    "BatchPlan",
    "ImportPlan",
    "OrgContext",
    "external_refs",
    "new_id",
    "new_record",
    "plan_batch",
    "plan_import",
    "utcnow",
]

Row = dict[str, Any]
StoredT = TypeVar("StoredT", bound=StoredModel)

#: The fields of a tie an upsert compares (the rest is identity or bookkeeping).
TIE_ATTRIBUTES = ("strength", "last_contact", "channel", "dotted", "role")
_PERSON_FIELD_SET = frozenset(PERSON_FIELDS)
_KNOWS_SOURCES = frozenset({"person", "team"})
_PERSON_ONLY = frozenset({"person"})
_TIE_ATTRIBUTE_SET = frozenset(TIE_ATTRIBUTES)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


#: Where write time stamps come from: the wall clock, or a test's (:func:`write_clock`).
_clock: list[Callable[[], datetime]] = [_wall_clock]


def utcnow() -> datetime:
    """The time stamp stored on writes (UTC, millisecond precision on both stores)."""
    now = _clock[0]()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@contextmanager
def write_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Stamp every write with ``clock()`` inside the block (tests replaying dated writes;
    history's valid time is the write's time stamp)."""
    _clock.insert(0, clock)
    try:
        yield
    finally:
        _clock.remove(clock)


def new_id() -> str:
    return str(uuid.uuid4())


def next_state(row: Row, changes: Mapping[str, Any], now: str) -> Row:
    """A stored row with ``changes`` (storable values) applied: its next version.

    >>> next_state({"id": "p", "title": "CFO", "version": 3}, {"title": "CEO"}, "T")
    {'id': 'p', 'title': 'CEO', 'version': 4, 'updated_at': 'T'}
    """
    return {**row, **changes, "updated_at": now, "version": row["version"] + 1}


def new_record(model: type[StoredT], tenant: str, data: BaseModel) -> StoredT:
    """A resource about to be created from ``data``: a fresh id, version 1, stamped now."""
    now = utcnow()
    return model(
        id=new_id(), tenant=tenant, created_at=now, updated_at=now, version=1, **data.model_dump()
    )


@dataclass
class OrgContext:
    """What a write must know about the organisation it lands in.

    The id sets and ``ties`` serve every import. An upsert also needs the stored rows (as
    both stores return them: ISO time stamps, roles as a list); build that context with
    :meth:`from_rows`.
    """

    tenant: str
    org_id: str
    person_ids: set[str]
    team_ids: set[str]
    org_ids: set[str]
    #: every stored tie of the organisation as (type, source, target, dotted)
    ties: list[tuple[RelType, str, str, bool]] = field(default_factory=list)
    #: stored rows, for upserts only: the organisation's people and ties, the tenant's team
    people: list[Row] | None = None
    team: list[Row] | None = None
    relationships: list[Row] | None = None
    #: stored rows, for upserts only: the organisation's deals and their committee seats
    opportunities: list[Row] | None = None
    seats: list[Row] | None = None

    @classmethod
    def from_rows(
        cls,
        tenant: str,
        org_id: str,
        *,
        people: list[Row],
        team: list[Row],
        relationships: list[Row],
        org_ids: Iterable[str],
        opportunities: list[Row] | None = None,
        seats: list[Row] | None = None,
    ) -> OrgContext:
        """A full context, as an upsert needs it.

        >>> ctx = OrgContext.from_rows("t", "o", people=[{"id": "p"}], team=[],
        ...                            relationships=[], org_ids=["o"])
        >>> ctx.person_ids, ctx.ties
        ({'p'}, [])
        """
        return cls(
            tenant,
            org_id,
            {p["id"] for p in people},
            {t["id"] for t in team},
            set(org_ids),
            [
                (RelType(r["type"]), r["source_id"], r["target_id"], bool(r.get("dotted")))
                for r in relationships
            ],
            people,
            team,
            relationships,
            opportunities or [],
            seats or [],
        )

    @classmethod
    def from_snapshot(cls, snapshot: OrgSnapshot, org_ids: Iterable[str] = ()) -> OrgContext:
        """A full context from a snapshot, with no store: ``org_ids`` are the other
        organisations of the tenant a tie may name (the snapshot's own is always known)."""
        org = snapshot.organisation
        return cls.from_rows(
            org.tenant,
            org.id,
            people=[model_row(p, PERSON_FIELDS) for p in snapshot.people],
            team=[model_row(t, TEAM_FIELDS) for t in snapshot.team],
            relationships=[model_row(r, RELATIONSHIP_FIELDS) for r in snapshot.relationships],
            org_ids={org.id, *org_ids},
            opportunities=[model_row(d, OPPORTUNITY_FIELDS) for d in snapshot.opportunities],
            seats=[model_row(seat, SEAT_FIELDS) for seat in snapshot.committee],
        )


@dataclass
class ImportPlan:
    """What to write, all validated together: storable rows (see :mod:`graph.records`)."""

    ids: dict[str, str]
    people: list[Row] = field(default_factory=list)
    team: list[Row] = field(default_factory=list)
    relationships: list[Row] = field(default_factory=list)
    updated_people: list[Row] = field(default_factory=list)
    updated_relationships: list[Row] = field(default_factory=list)
    removed_relationships: list[Row] = field(default_factory=list)
    opportunities: list[Row] = field(default_factory=list)
    updated_opportunities: list[Row] = field(default_factory=list)
    seats: list[Row] = field(default_factory=list)
    updated_seats: list[Row] = field(default_factory=list)
    unchanged: ImportCounts = field(default_factory=ImportCounts)

    @property
    def writes(self) -> bool:
        """Whether storing the plan changes anything."""
        return bool(
            self.people
            or self.team
            or self.relationships
            or self.updated_people
            or self.updated_relationships
            or self.removed_relationships
            or self.opportunities
            or self.updated_opportunities
            or self.seats
            or self.updated_seats
        )

    @property
    def created(self) -> ImportCounts:
        return ImportCounts(
            people=len(self.people),
            team=len(self.team),
            relationships=len(self.relationships),
            opportunities=len(self.opportunities),
            committee=len(self.seats),
        )

    @property
    def updated(self) -> ImportCounts:
        return ImportCounts(
            people=len(self.updated_people),
            relationships=len(self.updated_relationships),
            opportunities=len(self.updated_opportunities),
            committee=len(self.updated_seats),
        )

    @property
    def removed(self) -> ImportCounts:
        return ImportCounts(relationships=len(self.removed_relationships))


_KNOWS, _REPORTS_TO, _AFFILIATED_WITH = RelType.KNOWS, RelType.REPORTS_TO, RelType.AFFILIATED_WITH
#: each type's value, looked up without the enum descriptor (plan_import runs per row)
_VALUE = {rel_type: rel_type.value for rel_type in RelType}


def _tie_key(rel_type: RelType, source: str, target: str) -> tuple[str, str, str]:
    if rel_type is _KNOWS:
        # Person--Person KNOWS is symmetric; team ties only go one way anyway.
        low, high = (source, target) if source < target else (target, source)
        return (_VALUE[rel_type], low, high)
    return (_VALUE[rel_type], source, target)


def external_refs(request: ImportRequest) -> set[str]:
    """The refs a request uses without defining them: ids (or, on upsert, keys) of stored nodes.

    An adapter loads only these of the tenant's team members and organisations.

    >>> sorted(external_refs(ImportRequest.model_validate(
    ...     {"people": [{"ref": "a", "name": "A", "reports_to": "id-1"}],
    ...      "relationships": [{"type": "KNOWS", "source": "m-2", "target": "a"}]})))
    ['id-1', 'm-2']
    """
    defined = {p.ref for p in request.people} | {t.ref for t in request.team}
    used = {p.reports_to for p in request.people if p.reports_to is not None}
    for rel in request.relationships:
        used.add(rel.source)
        used.add(rel.target)
    used |= deal_refs(request.opportunities)
    return used - defined


def _person_row(person: PersonImport, pid: str, tenant: str, org_id: str, now: str) -> Row:
    return {
        "id": pid,
        "tenant": tenant,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "org_id": org_id,
        "name": person.name,
        "title": person.title,
        "department": person.department,
        "email": person.email,
        "seniority": None if person.seniority is None else person.seniority.value,
        "roles": [role.value for role in person.roles],
        "stance": person.stance.value,
        "influence": person.influence,
        "notes": person.notes,
        "external_id": person.external_id,
        "status": person.status.value,
        "left_on": None if person.left_on is None else person.left_on.isoformat(),
    }


def _team_row(member: TeamImport, mid: str, tenant: str, now: str) -> Row:
    return {
        "id": mid,
        "tenant": tenant,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "name": member.name,
        "title": member.title,
        "seniority": None if member.seniority is None else member.seniority.value,
        "email": member.email,
    }


class _Edge(NamedTuple):
    """A tie the request asks for: from ``relationships`` or from a person's ``reports_to``."""

    type: RelType
    source: str
    target: str
    rel: RelationshipImport | None  # None: a reports_to line (solid, no attributes)
    path: str
    source_path: str
    target_path: str


def _tie_attributes(edge: _Edge) -> Row:
    rel = edge.rel
    if rel is None:
        return {"strength": None, "last_contact": None, "channel": None, "dotted": False}
    return {
        "strength": rel.strength,
        "strength_source": None if rel.strength is None else StrengthSource.MANUAL.value,
        "last_contact": None if rel.last_contact is None else rel.last_contact.isoformat(),
        "channel": rel.channel,
        "dotted": rel.dotted,
        "role": None if rel.role is None else rel.role.value,
    }


def _set_attributes(edge: _Edge) -> Row:
    """The tie fields the request sets explicitly (what an upsert compares)."""
    attributes = _tie_attributes(edge)
    if edge.rel is None:
        return {"dotted": False}
    return {k: v for k, v in attributes.items() if k in edge.rel.model_fields_set}


def _tie_changes(stored: Row, requested: Row) -> Row:
    """What an upsert changes on a stored tie: the fields that differ (with the strength
    source a given or cleared strength implies)."""
    return {k: v for k, v in with_strength_source(stored, requested).items() if stored.get(k) != v}


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


class _Stored:
    """Indexes over a full context's stored rows, for upsert matching and key lookups."""

    def __init__(self, context: OrgContext) -> None:
        if context.people is None or context.team is None or context.relationships is None:
            raise ValueError("an upsert needs a context built with OrgContext.from_rows")
        self.by_external_id: dict[str, list[Row]] = defaultdict(list)
        self.by_email: dict[str, list[Row]] = defaultdict(list)
        self.by_name: dict[str, list[Row]] = defaultdict(list)
        for row in context.people:
            if row.get("external_id"):
                self.by_external_id[row["external_id"]].append(row)
            if row.get("email"):
                self.by_email[row["email"].casefold()].append(row)
            self.by_name[row["name"].casefold()].append(row)
        self.team_by_email: dict[str, list[Row]] = defaultdict(list)
        self.team_by_name: dict[str, list[Row]] = defaultdict(list)
        for row in context.team:
            if row.get("email"):
                self.team_by_email[row["email"].casefold()].append(row)
            self.team_by_name[row["name"].casefold()].append(row)
        #: no stored people (a new organisation): no person to match
        self.no_people = not context.people
        self._people, self._team = context.people, context.team
        self._directories: tuple[Directory[Row], Directory[Row]] | None = None
        self.ties: dict[tuple[str, str, str], Row] = {}
        #: person id -> their stored solid reporting lines
        self.solid_lines: dict[str, list[Row]] = defaultdict(list)
        for r in context.relationships:
            self.ties[_tie_key(RelType(r["type"]), r["source_id"], r["target_id"])] = r
            if r["type"] == RelType.REPORTS_TO.value and not r.get("dotted"):
                self.solid_lines[r["source_id"]].append(r)

    def match_person(self, person: PersonImport) -> tuple[str, list[Row]]:
        """(the key used, the stored people it finds): one is a match, several are ambiguous."""
        if person.external_id:
            found = self.by_external_id.get(person.external_id, [])
            if found:
                return "external_id", found
        if person.email:
            found = [
                row
                for row in self.by_email.get(person.email.casefold(), [])
                if not row.get("external_id") or row["external_id"] == person.external_id
            ]
            return "email", found
        if person.external_id:
            return "external_id", []
        return "name", self.by_name.get(person.name.casefold(), [])

    def match_team(self, member: TeamImport) -> tuple[str, list[Row]]:
        if member.email:
            found = self.team_by_email.get(member.email.casefold(), [])
            if found:
                return "email", found
        return "name", self.team_by_name.get(member.name.casefold(), [])

    def lookup(self, ref: str) -> tuple[str, str] | str | None:
        """A stored person (by external_id, email, name) or team member (by email) named by
        ``ref``: (id, kind), a reason when it is ambiguous, or None (the rule of
        :mod:`graph.lookup`, shared with the command line)."""
        if self._directories is None:
            self._directories = (Directory(self._people), Directory(self._team))
        people, team = self._directories
        found = people.find(ref, PERSON_REF)
        if found is not None:
            if len(found.items) == 1:
                return found.items[0]["id"], "person"
            return _(
                "{ref!r} is the {key} of {count} stored people; name one by its "
                "external_id, email or id"
            ).format(ref=ref, key=found.key.value, count=len(found.items))
        members = team.find(ref, TEAM_REF)
        if members is not None and len(members.items) == 1:
            return members.items[0]["id"], "team"
        return None


def _has_cycle(edges: Iterable[tuple[str, str]]) -> bool:
    """Whether the directed graph of ``edges`` has a cycle (iterative three-colour DFS)."""
    adjacency: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        adjacency[source].append(target)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in list(adjacency):
        if root in state:
            continue
        stack = [(root, iter(adjacency[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                seen = state.get(child)
                if seen == 1:
                    return True
                if seen is None:
                    state[child] = 1
                    stack.append((child, iter(adjacency.get(child, ()))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return False


def _check_duplicate_keys(request: ImportRequest, fail: Callable[[str, str], None]) -> set[int]:
    """Upsert: people of one request must be told apart on the next import of the same file.

    Returns the indexes refused.
    """
    refused: set[int] = set()
    first: dict[tuple[str, str], int] = {}
    for index, person in enumerate(request.people):
        if person.external_id:
            key = ("external_id", person.external_id)
        elif person.email:
            key = ("email", person.email.casefold())
        else:
            key = ("name", person.name.casefold())
        if key in first:
            what = key[0]
            same = _("people[{first}] has the same {key} {value!r}").format(
                first=first[key], key=what, value=getattr(person, what)
            )
            if what != "external_id":
                same = _("{problem}; give them an external_id").format(problem=same)
            fail(f"people[{index}].{what}", same)
            refused.add(index)
        else:
            first[key] = index
    return refused


def plan_import(
    context: OrgContext,
    request: ImportRequest,
    *,
    paths: dict[str, str] | None = None,
    upsert: bool = False,
) -> ImportPlan:
    """Check every rule of the graph model and return the rows to write.

    ``paths`` renames error fields for single-resource calls (e.g. ``relationships[0].source``
    becomes ``source_id``), so each caller sees the names of its own request body.
    ``upsert`` matches the request against the stored graph (see the module docstring); its
    context must come from :meth:`OrgContext.from_rows`.

    Raises
    ------
    ValidationFailed
        With one :class:`FieldError` per problem found (all of them, not only the first).

    Examples
    --------
    >>> ctx = OrgContext.from_rows("t", "o", people=[], team=[], relationships=[], org_ids=[])
    >>> body = ImportRequest.model_validate({"people": [
    ...     {"ref": "ceo", "name": "Cleo", "external_id": "C1"},
    ...     {"ref": "cfo", "name": "Finn", "reports_to": "ceo"}]})
    >>> first = plan_import(ctx, body, upsert=True)
    >>> first.created.people, first.created.relationships
    (2, 1)
    >>> ctx = OrgContext.from_rows("t", "o", people=first.people, team=[],
    ...                            relationships=first.relationships, org_ids=[])
    >>> again = plan_import(ctx, body, upsert=True)
    >>> again.writes, again.unchanged.people, again.unchanged.relationships
    (False, 2, 1)
    """
    return _Planner(context, request, paths=paths, upsert=upsert).run()


def plan_on_snapshot(
    snapshot: OrgSnapshot,
    request: ImportRequest,
    *,
    upsert: bool = False,
    org_ids: Iterable[str] = (),
) -> ImportPlan:
    """Validate ``request`` against ``snapshot`` exactly as a write into that organisation
    would be validated, outside any store transaction (what-if changes use this): the same
    rules, the same errors, the same counts. Raises :class:`ValidationFailed`.
    """
    return plan_import(OrgContext.from_snapshot(snapshot, org_ids), request, upsert=upsert)


_CLOSES_A_CYCLE = N_("this REPORTS_TO line would close a cycle in the hierarchy")
_DUPLICATE_REF = N_("duplicate ref {ref!r} in this request")


class _Planner(DealRules):
    """One :func:`plan_import` call: its state, and one method per rule of the model (the
    deal rules are :class:`graph.deal_planning.DealRules`)."""

    def __init__(
        self,
        context: OrgContext,
        request: ImportRequest,
        *,
        paths: dict[str, str] | None,
        upsert: bool,
    ) -> None:
        self.context = context
        self.request = request
        self.rename = paths or {}
        self.errors: list[FieldError] = []
        self.now = to_storable(utcnow())
        self.ids: dict[str, str] = {}
        #: node id -> person, team or organisation, for every node this request names
        self.kinds: dict[str, str] = {}
        self.plan = ImportPlan(ids=self.ids)
        self.stored = _Stored(context) if upsert else None
        self.upsert = upsert
        self.unchanged = Counter[str]()
        #: person id -> its stored row, for people the request matched (upsert)
        self.matched: dict[str, Row] = {}
        #: stored person id -> the index of the request's person that matched it
        self.claimed: dict[str, int] = {}
        self.refused: set[int] = set()
        # the hierarchy as it stands, and as this request changes it
        ties = context.ties
        self.existing = {_tie_key(t, s, d) for t, s, d, _ in ties}
        self.in_request: set[tuple[str, str, str]] = set()
        self.solid_managers = Counter(
            s for t, s, _, dotted in ties if t is RelType.REPORTS_TO and not dotted
        )
        self.lines: Counter[tuple[str, str]] = Counter(
            (s, d) for t, s, d, _ in ties if t is RelType.REPORTS_TO
        )
        self.new_lines: dict[tuple[str, str], str] = {}
        self.unknown = N_("unknown ref or id {ref!r} in this organisation")
        if self.stored is not None:
            self.unknown = N_(
                "unknown ref, id, external_id, email or name {ref!r} in this organisation"
            )

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(FieldError(self.rename.get(path, path), reason))

    def next_id(self) -> str:
        return new_id()

    def next_state(self, row: Row, changes: Row) -> Row:
        return next_state(row, changes, self.now)

    def run(self) -> ImportPlan:
        self.check_refs()
        self.plan_people()
        self.plan_team()
        for edge in self.edges():
            self.plan_edge(edge)
        self.check_cycles()
        self.plan_deals(self.request.opportunities)
        if self.errors:
            raise ValidationFailed(self.errors)
        self.plan.unchanged = ImportCounts(**self.unchanged)
        return self.plan

    def check_refs(self) -> None:
        request = self.request
        ref_counts = Counter(
            [p.ref for p in request.people]
            + [t.ref for t in request.team]
            + [d.ref for d in request.opportunities]
        )
        for index, person in enumerate(request.people):
            if ref_counts[person.ref] > 1:
                self.fail(f"people[{index}].ref", _(_DUPLICATE_REF).format(ref=person.ref))
        for index, member in enumerate(request.team):
            if ref_counts[member.ref] > 1:
                self.fail(f"team[{index}].ref", _(_DUPLICATE_REF).format(ref=member.ref))
        for index, deal in enumerate(request.opportunities):
            if ref_counts[deal.ref] > 1:
                self.fail(f"opportunities[{index}].ref", _(_DUPLICATE_REF).format(ref=deal.ref))

    # --- people ---------------------------------------------------------------------------

    def plan_people(self) -> None:
        request, ids, kinds = self.request, self.ids, self.kinds
        if self.stored is not None:
            self.refused = _check_duplicate_keys(request, self.fail)
        for index, person in enumerate(request.people):
            if index in self.refused or self.match_person(index, person):
                continue
            pid = new_id()
            ids.setdefault(person.ref, pid)
            kinds[pid] = "person"
            self.plan.people.append(
                _person_row(person, pid, self.context.tenant, self.context.org_id, self.now)
            )
        for index in self.refused:
            # Refused people keep a (never stored) id, so ties naming them add no more errors.
            placeholder = ids.setdefault(request.people[index].ref, new_id())
            kinds.setdefault(placeholder, "person")

    def match_person(self, index: int, person: PersonImport) -> bool:
        """Upsert: match ``person`` with a stored one (planning its update); whether it is
        dealt with (matched, or refused as ambiguous)."""
        stored = self.stored
        if stored is None or stored.no_people:
            return False
        key, found = stored.match_person(person)
        if len(found) > 1:
            self.fail(
                f"people[{index}].{key}",
                _("matches {count} stored people by {key}; give it an external_id").format(
                    count=len(found), key=key
                ),
            )
            self.refused.add(index)
            return True
        if not found:
            return False
        row = found[0]
        if row["id"] in self.claimed:
            self.fail(
                f"people[{index}].{key}",
                _("matches the same stored person as people[{first}]").format(
                    first=self.claimed[row["id"]]
                ),
            )
            self.refused.add(index)
            return True
        self.claimed[row["id"]] = index
        self.ids.setdefault(person.ref, row["id"])
        self.kinds[row["id"]] = "person"
        self.matched[row["id"]] = row
        changes = {
            name: to_storable(getattr(person, name))
            for name in person.model_fields_set & _PERSON_FIELD_SET
        }
        changes = {k: v for k, v in changes.items() if row.get(k) != v}
        if changes:
            self.plan.updated_people.append(next_state(row, changes, self.now))
        else:
            self.unchanged["people"] += 1
        return True

    # --- team -----------------------------------------------------------------------------

    def plan_team(self) -> None:
        for index, member in enumerate(self.request.team):
            if self.stored is not None:
                key, found = self.stored.match_team(member)
                if len(found) > 1:
                    self.fail(
                        f"team[{index}].{key}",
                        _("matches {count} team members by {key}; name one by email or id").format(
                            count=len(found), key=key
                        ),
                    )
                    continue
                if found:
                    self.ids.setdefault(member.ref, found[0]["id"])
                    self.kinds[found[0]["id"]] = "team"
                    self.unchanged["team"] += 1
                    continue
            mid = new_id()
            self.ids.setdefault(member.ref, mid)
            self.kinds[mid] = "team"
            self.plan.team.append(_team_row(member, mid, self.context.tenant, self.now))

    # --- ties -----------------------------------------------------------------------------

    def resolve(self, ref: str) -> tuple[str, str] | str | None:
        """(id, kind) of a ref of this request or a stored node, a reason, or None."""
        context = self.context
        if ref in self.ids:
            return self.ids[ref], self.kinds[self.ids[ref]]
        if ref in context.person_ids:
            return ref, "person"
        if ref in context.team_ids:
            return ref, "team"
        if ref in context.org_ids:
            return ref, "organisation"
        if self.stored is not None:
            return self.stored.lookup(ref)
        return None

    def edges(self) -> list[_Edge]:
        """Every tie the request asks for: reporting lines first, then relationships."""
        edges = [
            _Edge(
                RelType.REPORTS_TO,
                person.ref,
                person.reports_to,
                None,
                f"people[{index}].reports_to",
                f"people[{index}].ref",
                f"people[{index}].reports_to",
            )
            for index, person in enumerate(self.request.people)
            if person.reports_to is not None
        ]
        edges += [
            _Edge(
                rel.type,
                rel.source,
                rel.target,
                rel,
                f"relationships[{i}]",
                f"relationships[{i}].source",
                f"relationships[{i}].target",
            )
            for i, rel in enumerate(self.request.relationships)
        ]
        return edges

    def second_solid_manager(self, person: str, change: int, edge: _Edge) -> bool:
        """Count a solid line gained (+1) or lost (-1); fail on a person's second one."""
        self.solid_managers[person] += change
        if self.solid_managers[person] <= 1:
            return False
        self.fail(
            edge.target_path,
            _("the person already has a solid-line manager; use dotted=true for a matrix line"),
        )
        return True

    def endpoints(self, edge: _Edge) -> tuple[str, str] | None:
        """The tie's (source id, target id) if both ends resolve to nodes it may join."""
        source = self.resolve(edge.source)
        target = self.resolve(edge.target)
        if not isinstance(source, tuple):
            self.fail(edge.source_path, source or _(self.unknown).format(ref=edge.source))
        if not isinstance(target, tuple):
            self.fail(edge.target_path, target or _(self.unknown).format(ref=edge.target))
        if not isinstance(source, tuple) or not isinstance(target, tuple):
            return None
        (source_id, source_kind), (target_id, target_kind) = source, target
        allowed_sources = _KNOWS_SOURCES if edge.type is _KNOWS else _PERSON_ONLY
        allowed_target = "organisation" if edge.type is _AFFILIATED_WITH else "person"
        if source_kind not in allowed_sources:
            self.fail(
                edge.source_path,
                _("a {type} tie cannot start at a {kind}").format(type=edge.type, kind=source_kind),
            )
            return None
        if target_kind != allowed_target:
            self.fail(
                edge.target_path,
                _("a {type} tie must end at a {allowed}, not a {kind}").format(
                    type=edge.type, allowed=allowed_target, kind=target_kind
                ),
            )
            return None
        if edge.type is _AFFILIATED_WITH and target_id == self.context.org_id:
            self.fail(
                edge.target_path, _("a person cannot be affiliated with their own organisation")
            )
            return None
        if source_id == target_id:
            self.fail(
                edge.target_path, _("a tie cannot start and end at the same node (self-loop)")
            )
            return None
        return source_id, target_id

    def plan_edge(self, edge: _Edge) -> None:
        ends = self.endpoints(edge)
        if ends is None:
            return
        source_id, target_id = ends
        tie = _tie_key(edge.type, source_id, target_id)
        if tie in self.in_request:
            self.fail(
                edge.path, _("this {type} tie appears twice in this request").format(type=edge.type)
            )
            return
        self.in_request.add(tie)
        stored = self.stored
        stored_tie = stored.ties.get(tie) if stored is not None else None
        if stored is not None and edge.rel is None and source_id in self.matched:
            self.replace_solid_lines(stored, source_id, target_id)
        if stored_tie is not None:
            self.update_tie(edge, source_id, stored_tie)
        elif tie in self.existing and stored is None:
            self.fail(edge.path, _("this {type} tie already exists").format(type=edge.type))
        else:
            self.new_tie(edge, source_id, target_id)

    def replace_solid_lines(self, stored: _Stored, source_id: str, target_id: str) -> None:
        """reports_to on upsert: the person's solid line now goes to ``target_id`` only."""
        for other in stored.solid_lines.pop(source_id, []):
            if other["target_id"] != target_id:
                self.plan.removed_relationships.append(other)
                del stored.ties[_tie_key(RelType.REPORTS_TO, source_id, other["target_id"])]
                self.solid_managers[source_id] -= 1
                self.lines[(source_id, other["target_id"])] -= 1

    def update_tie(self, edge: _Edge, source_id: str, stored_tie: Row) -> None:
        changes = _tie_changes(stored_tie, _set_attributes(edge))
        if not changes:
            self.unchanged["relationships"] += 1
            return
        if (
            edge.type is RelType.REPORTS_TO
            and "dotted" in changes
            and self.second_solid_manager(source_id, -1 if changes["dotted"] else 1, edge)
        ):
            return
        self.plan.updated_relationships.append(next_state(stored_tie, changes, self.now))

    def new_tie(self, edge: _Edge, source_id: str, target_id: str) -> None:
        attributes = _tie_attributes(edge)
        if edge.type is _REPORTS_TO:
            if not attributes["dotted"] and self.second_solid_manager(source_id, 1, edge):
                return
            self.lines[(source_id, target_id)] += 1
            self.new_lines[(source_id, target_id)] = edge.target_path
        now = self.now
        self.plan.relationships.append(
            {
                "id": new_id(),
                "tenant": self.context.tenant,
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "org_id": self.context.org_id,
                "type": _VALUE[edge.type],
                "source_id": source_id,
                "target_id": target_id,
                "role": None,
                "strength_source": None,
                "derived_strength": None,
                **attributes,
            }
        )

    def check_cycles(self) -> None:
        """Refuse each new reporting line that closes a cycle in the hierarchy."""
        hierarchy = [line for line, count in self.lines.items() if count > 0]
        if not self.new_lines or not _has_cycle(hierarchy):
            return
        graph = nx.DiGraph(hierarchy)
        reported: set[str] = set()
        for component in nx.strongly_connected_components(graph):
            if len(component) < 2:
                continue
            for (source_id, target_id), line_path in self.new_lines.items():
                if source_id in component and target_id in component and line_path not in reported:
                    reported.add(line_path)
                    self.fail(line_path, _(_CLOSES_A_CYCLE))


# --- several organisations in one transaction ----------------------------------------------


@dataclass
class _Planned:
    index: int
    org_id: str
    plan: ImportPlan
    new: bool


@dataclass
class BatchPlan:
    """The plans of one ``import_many`` transaction: what to write, merged across items."""

    size: int
    upsert: bool
    versions: Mapping[str, int]
    refused: dict[int, ImportOutcome] = field(default_factory=dict)
    planned: list[_Planned] = field(default_factory=list)
    #: rows of the organisations to create (valid new items only)
    new_organisations: list[Row] = field(default_factory=list)

    def _merged(self, rows_of: Callable[[ImportPlan], list[Row]]) -> list[Row]:
        return [row for item in self.planned for row in rows_of(item.plan)]

    @property
    def people(self) -> list[Row]:
        """Every valid item's new people (complete person rows)."""
        return self._merged(lambda plan: plan.people)

    @property
    def updated_people(self) -> list[Row]:
        return self._merged(lambda plan: plan.updated_people)

    @property
    def team(self) -> list[Row]:
        return self._merged(lambda plan: plan.team)

    @property
    def relationships(self) -> list[Row]:
        return self._merged(lambda plan: plan.relationships)

    @property
    def updated_relationships(self) -> list[Row]:
        return self._merged(lambda plan: plan.updated_relationships)

    @property
    def removed_relationships(self) -> list[Row]:
        return self._merged(lambda plan: plan.removed_relationships)

    @property
    def opportunities(self) -> list[Row]:
        return self._merged(lambda plan: plan.opportunities)

    @property
    def updated_opportunities(self) -> list[Row]:
        return self._merged(lambda plan: plan.updated_opportunities)

    @property
    def seats(self) -> list[Row]:
        return self._merged(lambda plan: plan.seats)

    @property
    def updated_seats(self) -> list[Row]:
        return self._merged(lambda plan: plan.updated_seats)

    @property
    def creates_team(self) -> bool:
        return any(item.plan.team for item in self.planned)

    def version_updates(self) -> list[tuple[str, int]]:
        """(org_id, new version) of each stored organisation the batch writes to.

        A plain import bumps every organisation it imports into; an upsert only those it
        changes, so importing the same data again leaves even the version alone."""
        return [
            (item.org_id, self.versions[item.org_id] + 1)
            for item in self.planned
            if not item.new and (item.plan.writes or not self.upsert)
        ]

    def outcomes(self, *, dry_run: bool) -> list[ImportOutcome]:
        """Every item's outcome, in order, once the batch is stored (or, dry, not)."""
        written = dict(self.version_updates())
        tenant_bump = 0 if dry_run or not self.creates_team else 1
        results: dict[int, ImportOutcome] = dict(self.refused)
        for item in self.planned:
            if item.new:
                version = 1
            else:
                version = self.versions[item.org_id]
                if not dry_run:
                    version = written.get(item.org_id, version)
            results[item.index] = ImportOutcome(
                result=ImportResult(
                    org_id=item.org_id,
                    ids=item.plan.ids,
                    created=item.plan.created,
                    updated=item.plan.updated,
                    unchanged=item.plan.unchanged,
                    removed=item.plan.removed,
                    version=version + tenant_bump,
                    dry_run=dry_run,
                )
            )
        return [results[index] for index in range(self.size)]


def plan_batch(
    tenant: str,
    items: Sequence[OrgImport],
    *,
    versions: Mapping[str, int],
    context: Callable[[str, bool], OrgContext],
    check_parent: Callable[[str], None],
    upsert: bool,
    paths: dict[str, str] | None = None,
) -> BatchPlan:
    """Plan every item of an ``import_many`` call, inside the adapter's transaction.

    ``versions`` holds the stored organisations named by the items with their versions
    (locked, except in a dry run); ``context(org_id, new)`` reads one organisation's
    :class:`OrgContext` (full when ``upsert``); ``check_parent(parent_id)`` raises
    :class:`ValidationFailed` unless the parent of a new organisation exists. Team members
    an item creates are visible to the
    items after it, so one batch never creates the same member twice.
    """
    batch = BatchPlan(size=len(items), upsert=upsert, versions=versions)
    created_team: list[Row] = []
    for index, item in enumerate(items):
        new_org: Row | None = None
        if item.create is not None:
            org = new_record(OrganisationPublic, tenant, item.create)
            new_org = model_row(org, ORGANISATION_FIELDS)
            org_id = org.id
        else:
            assert item.org_id is not None
            org_id = item.org_id
            if org_id not in versions:
                batch.refused[index] = ImportOutcome(missing=True)
                continue
        try:
            if item.create is not None and item.create.parent_id is not None:
                check_parent(item.create.parent_id)
            ctx = context(org_id, new_org is not None)
            if created_team:
                ctx.team_ids |= {row["id"] for row in created_team}
                if ctx.team is not None:
                    ctx.team = [*ctx.team, *created_team]
            plan = plan_import(ctx, item.request, paths=paths, upsert=upsert)
        except ValidationFailed as exc:
            batch.refused[index] = ImportOutcome(errors=exc.errors)
            continue
        created_team.extend(plan.team)
        batch.planned.append(_Planned(index, org_id, plan, new_org is not None))
        if new_org is not None:
            batch.new_organisations.append(new_org)
    return batch
