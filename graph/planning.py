"""Validate a write against the organisation it lands in, before anything is stored.

Both adapters read an :class:`OrgContext` inside their write transaction (after locking the
organisation), call :func:`plan_import`, and store the returned :class:`ImportPlan` in the
same transaction. So both stores enforce exactly the same rules with the same messages, and
a refused request stores nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import networkx as nx

from graph.errors import FieldError, ValidationFailed
from schemas.common import RelType
from schemas.imports import ImportRequest, RelationshipImport
from schemas.resources import PersonPublic, RelationshipPublic, TeamMemberPublic

__all__ = ["ImportPlan", "OrgContext", "new_id", "plan_import", "utcnow"]


def utcnow() -> datetime:
    """The time stamp stored on writes (UTC, millisecond precision on both stores)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class OrgContext:
    """What a write must know about the organisation it lands in."""

    tenant: str
    org_id: str
    person_ids: set[str]
    team_ids: set[str]
    org_ids: set[str]
    #: every stored tie of the organisation as (type, source, target, dotted)
    ties: list[tuple[RelType, str, str, bool]] = field(default_factory=list)


@dataclass
class ImportPlan:
    """Rows ready to insert, all validated together."""

    people: list[PersonPublic]
    team: list[TeamMemberPublic]
    relationships: list[RelationshipPublic]
    ids: dict[str, str]


def _tie_key(rel_type: RelType, source: str, target: str) -> tuple[str, str, str]:
    if rel_type is RelType.KNOWS:
        # Person--Person KNOWS is symmetric; team ties only go one way anyway.
        low, high = sorted((source, target))
        return (rel_type.value, low, high)
    return (rel_type.value, source, target)


def plan_import(
    context: OrgContext,
    request: ImportRequest,
    *,
    paths: dict[str, str] | None = None,
) -> ImportPlan:
    """Check every rule of the graph model and return the rows to write.

    ``paths`` renames error fields for single-resource calls (e.g. ``relationships[0].source``
    becomes ``source_id``), so each caller sees the names of its own request body.

    Raises
    ------
    ValidationFailed
        With one :class:`FieldError` per problem found (all of them, not only the first).
    """
    rename = paths or {}
    errors: list[FieldError] = []

    def fail(path: str, reason: str) -> None:
        errors.append(FieldError(rename.get(path, path), reason))

    now = utcnow()
    tenant, org_id = context.tenant, context.org_id
    ids: dict[str, str] = {}
    kinds: dict[str, str] = {}

    ref_counts = Counter([p.ref for p in request.people] + [t.ref for t in request.team])
    for index, person in enumerate(request.people):
        if ref_counts[person.ref] > 1:
            fail(f"people[{index}].ref", f"duplicate ref {person.ref!r} in this request")
    for index, member in enumerate(request.team):
        if ref_counts[member.ref] > 1:
            fail(f"team[{index}].ref", f"duplicate ref {member.ref!r} in this request")

    people: list[PersonPublic] = []
    for person in request.people:
        pid = new_id()
        ids.setdefault(person.ref, pid)
        kinds[pid] = "person"
        fields = person.model_dump(exclude={"ref", "reports_to"})
        people.append(
            PersonPublic(
                id=pid,
                tenant=tenant,
                org_id=org_id,
                created_at=now,
                updated_at=now,
                version=1,
                **fields,
            )
        )
    team: list[TeamMemberPublic] = []
    for member in request.team:
        mid = new_id()
        ids.setdefault(member.ref, mid)
        kinds[mid] = "team"
        team.append(
            TeamMemberPublic(
                id=mid,
                tenant=tenant,
                created_at=now,
                updated_at=now,
                version=1,
                **member.model_dump(exclude={"ref"}),
            )
        )

    def resolve(ref: str) -> tuple[str, str] | None:
        """(id, kind) of a ref of this request or an existing id, else None."""
        if ref in ids:
            return ids[ref], kinds[ids[ref]]
        if ref in context.person_ids:
            return ref, "person"
        if ref in context.team_ids:
            return ref, "team"
        if ref in context.org_ids:
            return ref, "organisation"
        return None

    edges: list[tuple[RelationshipImport, str]] = [
        (
            RelationshipImport(
                type=RelType.REPORTS_TO, source=person.ref, target=person.reports_to
            ),
            f"people[{index}].reports_to",
        )
        for index, person in enumerate(request.people)
        if person.reports_to is not None
    ]
    edges += [(rel, f"relationships[{i}]") for i, rel in enumerate(request.relationships)]

    relationships: list[RelationshipPublic] = []
    seen = {_tie_key(t, s, d) for t, s, d, _ in context.ties}
    solid_managers = Counter(
        s for t, s, _, dotted in context.ties if t is RelType.REPORTS_TO and not dotted
    )
    hierarchy = nx.DiGraph()
    hierarchy.add_edges_from((s, d) for t, s, d, _ in context.ties if t is RelType.REPORTS_TO)
    new_lines: dict[tuple[str, str], str] = {}

    for rel, path in edges:
        from_reports_to = path.endswith(".reports_to")
        source_path = (
            path.removesuffix(".reports_to") + ".ref" if from_reports_to else f"{path}.source"
        )
        target_path = path if from_reports_to else f"{path}.target"
        source = resolve(rel.source)
        target = resolve(rel.target)
        if source is None:
            fail(source_path, f"unknown ref or id {rel.source!r} in this organisation")
        if target is None:
            fail(target_path, f"unknown ref or id {rel.target!r} in this organisation")
        if source is None or target is None:
            continue
        (source_id, source_kind), (target_id, target_kind) = source, target
        allowed_sources = {"person", "team"} if rel.type is RelType.KNOWS else {"person"}
        allowed_target = "organisation" if rel.type is RelType.AFFILIATED_WITH else "person"
        if source_kind not in allowed_sources:
            fail(source_path, f"a {rel.type} tie cannot start at a {source_kind}")
            continue
        if target_kind != allowed_target:
            fail(
                target_path, f"a {rel.type} tie must end at a {allowed_target}, not a {target_kind}"
            )
            continue
        if rel.type is RelType.AFFILIATED_WITH and target_id == org_id:
            fail(target_path, "a person cannot be affiliated with their own organisation")
            continue
        if source_id == target_id:
            fail(target_path, "a tie cannot start and end at the same node (self-loop)")
            continue
        key = _tie_key(rel.type, source_id, target_id)
        if key in seen:
            fail(path, f"this {rel.type} tie already exists")
            continue
        seen.add(key)
        if rel.type is RelType.REPORTS_TO:
            if not rel.dotted:
                solid_managers[source_id] += 1
                if solid_managers[source_id] > 1:
                    fail(
                        target_path,
                        "the person already has a solid-line manager; use dotted=true for a "
                        "matrix line",
                    )
                    continue
            hierarchy.add_edge(source_id, target_id)
            new_lines[(source_id, target_id)] = target_path
        relationships.append(
            RelationshipPublic(
                id=new_id(),
                tenant=tenant,
                org_id=org_id,
                created_at=now,
                updated_at=now,
                version=1,
                source_id=source_id,
                target_id=target_id,
                **rel.model_dump(exclude={"source", "target"}),
            )
        )

    if new_lines and not nx.is_directed_acyclic_graph(hierarchy):
        reported: set[str] = set()
        for component in nx.strongly_connected_components(hierarchy):
            if len(component) < 2:
                continue
            for (source_id, target_id), line_path in new_lines.items():
                if source_id in component and target_id in component and line_path not in reported:
                    reported.add(line_path)
                    fail(line_path, "this REPORTS_TO line would close a cycle in the hierarchy")

    if errors:
        raise ValidationFailed(errors)
    return ImportPlan(people=people, team=team, relationships=relationships, ids=ids)
