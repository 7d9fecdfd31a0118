"""A scripted :class:`~app.cli.backend.Backend` for the command line's logic, without a store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from graph.errors import NotFound
from graph.port import ImportOutcome, OrgImport
from schemas.imports import ImportCounts, ImportResult
from schemas.resources import OrganisationPublic, PersonPublic, TeamMemberPublic


def result(
    item: OrgImport,
    *,
    team_ids: dict[str, str] | None = None,
    created: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    removed: int = 0,
) -> ImportResult:
    """What a store answers for ``item``: every ref mapped, people and ties counted alike."""
    ids = {p.ref: f"id-{p.ref}" for p in item.request.people}
    ids |= {m.ref: (team_ids or {}).get(m.ref, f"id-{m.ref}") for m in item.request.team}
    return ImportResult(
        org_id=item.org_id or f"new-{item.create.name if item.create else ''}",
        ids=ids,
        created=ImportCounts(people=created, relationships=created),
        updated=ImportCounts(people=updated, relationships=updated),
        unchanged=ImportCounts(people=unchanged, relationships=unchanged),
        removed=ImportCounts(relationships=removed),
        version=2,
    )


Decide = Callable[[OrgImport, bool], ImportOutcome]


@dataclass
class ScriptedBackend:
    """A :class:`~app.cli.backend.Backend` whose imports answer what ``decide`` says, over
    stored organisations, team members and people given up front."""

    decide: Decide = lambda item, dry_run: ImportOutcome(result=result(item, created=1))
    stored: list[OrganisationPublic] = field(default_factory=list)
    stored_team: list[TeamMemberPublic] = field(default_factory=list)
    stored_people: list[PersonPublic] = field(default_factory=list)
    where: str = "the script"
    batch_rows: int = 100
    #: (organisation names, dry_run) of every import_batch call
    calls: list[tuple[list[str], bool]] = field(default_factory=list)

    def close(self) -> None:
        pass

    def organisations(self) -> list[OrganisationPublic]:
        return list(self.stored)

    def organisation(self, org_id: str) -> OrganisationPublic:
        for stored in self.stored:
            if stored.id == org_id:
                return stored
        raise NotFound("organisation")

    def people(self, org_id: str) -> list[PersonPublic]:
        return list(self.stored_people)

    def team(self) -> list[TeamMemberPublic]:
        return list(self.stored_team)

    def import_batch(self, items: Sequence[OrgImport], *, dry_run: bool) -> list[ImportOutcome]:
        names = [item.create.name if item.create else str(item.org_id) for item in items]
        self.calls.append((names, dry_run))
        return [self.decide(item, dry_run) for item in items]
