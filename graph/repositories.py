"""Repositories: one per aggregate, each the statements of that aggregate on a transaction.

Written once for both stores against :mod:`graph.tx`: a repository names statements and
turns their rows into models; it holds no orchestration (that is :mod:`graph.writer`'s) and
opens no transaction itself. Read repositories take a :class:`~graph.tx.ReadTx`; the write
ones (subclasses) need a :class:`~graph.tx.WriteTx`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.errors import FieldError, NotFound, ValidationFailed
from graph.messages import _
from graph.planning import utcnow
from graph.records import (
    api_key_from,
    interaction_from,
    opportunity_from,
    organisation_from,
    person_from,
    relationship_from,
    seat_from,
    team_member_from,
    to_storable,
)
from graph.tx import ReadTx, Row, WriteTx
from schemas.audit import AuditEntry
from schemas.common import RelType
from schemas.deals import CommitteeSeatPublic, OpportunityPublic
from schemas.interactions import InteractionPublic
from schemas.keys import ApiKeyPublic
from schemas.resources import (
    OrganisationPublic,
    PersonPublic,
    RelationshipPublic,
    TeamMemberPublic,
)
from schemas.snapshot import OrgSnapshot

#: The statement that creates each type of tie: the allow-list from type to statement (in
#: Cypher the type is the relationship's label, so each has its own text).
CREATE_TIE: dict[RelType, str] = {
    RelType.REPORTS_TO: "relationship_create_reports_to",
    RelType.INFLUENCES: "relationship_create_influences",
    RelType.KNOWS: "relationship_create_knows",
    RelType.AFFILIATED_WITH: "relationship_create_affiliated_with",
}

#: Every statement the repositories run: both adapters check at start that they have each.
STATEMENTS: frozenset[str] = frozenset(
    {
        "ping",
        "organisation_create_many",
        "organisation_update_many",
        "organisation_get",
        "organisation_list",
        "organisation_list_with_open_deals",
        "organisation_lock",
        "organisation_version",
        "organisation_bump",
        "organisation_bump_tenant",
        "organisation_parent",
        "organisation_affiliates",
        "organisation_delete",
        "organisation_known",
        "organisation_lock_many",
        "organisation_versions",
        "organisation_set_versions",
        "person_create_many",
        "person_update_many",
        "person_get",
        "person_list",
        "person_version",
        "person_delete",
        "person_ids_of_org",
        "person_known",
        "people_of_orgs",
        "team_create_many",
        "team_update_many",
        "team_get",
        "team_list",
        "team_lock",
        "team_delete",
        "team_known",
        "team_of_tenant",
        *CREATE_TIE.values(),
        "relationship_get",
        "relationship_list",
        "relationship_version",
        "relationship_delete",
        "relationship_delete_many",
        "relationship_update_many",
        "ties_of_org",
        "knows_between",
        "interaction_create_many",
        "interaction_get",
        "interaction_list",
        "interaction_list_of_member",
        "interaction_history_between",
        "interaction_forget_person",
        "interaction_forget_member",
        "history_open_many",
        "history_close_many",
        "history_close_touching",
        "history_close_org",
        "history_in_force",
        "history_changes",
        "history_forget",
        "history_of_person",
        "relationships_of_orgs",
        "opportunity_create_many",
        "opportunity_update_many",
        "opportunity_get",
        "opportunity_list",
        "opportunity_version",
        "opportunity_delete",
        "opportunities_of_orgs",
        "seat_put_many",
        "seat_get",
        "seat_list",
        "seat_delete",
        "seats_of_orgs",
        "seat_clear_primary",
        "api_key_create",
        "api_key_ensure",
        "api_key_find",
        "api_key_list",
        "api_key_revoke",
        "api_key_touch",
        "audit_append",
        "audit_list",
        "idempotency_lock",
        "idempotency_save",
        "idempotency_release",
        "idempotency_purge",
        # webhooks and their outbox (graph/webhooks.py)
        "webhook_create",
        "webhook_get",
        "webhook_lock",
        "webhook_list",
        "webhook_count",
        "webhook_subscribed",
        "webhook_delete",
        "delivery_create_many",
        "delivery_due",
        "delivery_claim",
        "delivery_settle",
        "delivery_list",
        "delivery_get",
        "delivery_naming_person",
        "delivery_forget_person",
        "delivery_forget_organisation",
        "delivery_purge",
    }
)


def _between(
    tx: ReadTx,
    statement: str,
    tenant: str,
    org_id: str,
    member_ids: Sequence[str],
    person_ids: Sequence[str],
) -> list[Row]:
    """Rows of a statement about our members and their people of one organisation."""
    return tx.rows(
        statement,
        tenant=tenant,
        org_id=org_id,
        member_ids=list(member_ids),
        person_ids=list(person_ids),
    )


def _found(row: Row | None, kind: str) -> Row:
    if row is None:
        raise NotFound(kind)
    return row


def _version(row: Row | None, kind: str) -> int:
    return int(_found(row, kind)["version"])


# --- history -----------------------------------------------------------------------------

#: The end of a version still in force.
OPEN = "9999-12-31T23:59:59.999Z"
#: Each kind's row fields that name its ends (a tie's, a seat's deal and person): deleting
#: or erasing either end closes or removes the version.
_ENDS: dict[str, tuple[str, str]] = {
    "relationship": ("source_id", "target_id"),
    "seat": ("opportunity_id", "person_id"),
}


def valid_time(at: datetime) -> str:
    """A moment as history keeps it: UTC, milliseconds, fixed width (sorts as text).

    >>> from datetime import UTC, datetime
    >>> valid_time(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    '2026-03-01T09:30:00.000Z'
    """
    m = at.astimezone(UTC)
    # by hand, not strftime: %Y does not pad years before 1000 on every platform
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


def _written_at(row: Row) -> str:
    return valid_time(datetime.fromisoformat(str(row["updated_at"])))


class HistoryReads:
    """Versions of what an organisation held (valid time): :mod:`graph.history`."""

    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def in_force(self, tenant: str, org_id: str, at: str) -> list[tuple[str, Row]]:
        """(kind, stored row) of every version of the organisation and the team in force
        at ``at``."""
        rows = self._tx.rows("history_in_force", tenant=tenant, org_id=org_id, at=at)
        return [(r["kind"], _state(r["stored"])) for r in rows]

    def changes(
        self, tenant: str, org_id: str, *, since: str, after: tuple[str, str], limit: int
    ) -> list[Row]:
        """One page of versions opened or closed from ``since``, in time order after
        ``after`` (time, entity id + event)."""
        rows = self._tx.rows(
            "history_changes",
            tenant=tenant,
            org_id=org_id,
            since=since,
            after_at=after[0],
            after_id=after[1],
            limit=limit,
        )
        return [
            {
                **r,
                "after": None if r["after"] is None else _state(r["after"]),
                "before": None if r["before"] is None else _state(r["before"]),
            }
            for r in rows
        ]

    def of_person(self, tenant: str, person_id: str) -> list[Row]:
        rows = self._tx.rows("history_of_person", tenant=tenant, person_id=person_id)
        return [{**r, "stored": _state(r["stored"])} for r in rows]


def _state(stored: Row) -> Row:
    """A version's stored row (Neo4j keeps history's own fields beside it, named ``_…``)."""
    return {k: v for k, v in stored.items() if not k.startswith("_")}


class History(HistoryReads):
    """Recording versions, in the transaction of the write that makes them."""

    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def record(self, kind: str, rows: Sequence[Row]) -> None:
        """New versions of ``rows`` (complete stored rows), each valid from its
        ``updated_at`` (the write's time); the version each replaces ends there."""
        if not rows:
            return
        tenant_wide = kind == "team"
        ends = _ENDS.get(kind)
        versions = [
            {
                "tenant": row["tenant"],
                "kind": kind,
                "entity_id": row["id"],
                "org_id": "" if tenant_wide else str(row.get("org_id") or row["id"]),
                "at": _written_at(row),
                "source_id": None if ends is None else row[ends[0]],
                "target_id": None if ends is None else row[ends[1]],
                "stored": dict(row),
            }
            for row in rows
        ]
        closing = [{k: v[k] for k in ("tenant", "kind", "entity_id", "at")} for v in versions]
        self._write.write_rows("history_close_many", closing)
        self._write.write_rows("history_open_many", versions)

    def close(self, tenant: str, kind: str, entity_ids: Iterable[str]) -> None:
        """The versions of ``entity_ids`` end now (they were deleted)."""
        at = valid_time(utcnow())
        rows = [{"tenant": tenant, "kind": kind, "entity_id": i, "at": at} for i in entity_ids]
        if rows:
            self._write.write_rows("history_close_many", rows)

    def close_touching(self, tenant: str, entity_id: str) -> None:
        """A node is deleted: its version and those of the ties and seats touching it end."""
        self._write.rows(
            "history_close_touching",
            tenant=tenant,
            entity_id=entity_id,
            at=valid_time(utcnow()),
        )

    def close_organisation(self, tenant: str, org_id: str) -> None:
        self._write.rows("history_close_org", tenant=tenant, org_id=org_id, at=valid_time(utcnow()))

    def forget_person(self, tenant: str, person_id: str) -> None:
        """Erasure: the person and what touched them leave history altogether."""
        self._write.rows("history_forget", tenant=tenant, person_id=person_id)


# --- organisations ------------------------------------------------------------------------


class OrganisationReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def row(self, tenant: str, org_id: str) -> Row:
        return _found(
            self._tx.row("organisation_get", tenant=tenant, org_id=org_id), "organisation"
        )

    def get(self, tenant: str, org_id: str) -> OrganisationPublic:
        return organisation_from(self.row(tenant, org_id))

    def page(self, tenant: str, *, limit: int, after: str | None) -> list[OrganisationPublic]:
        rows = self._tx.rows("organisation_list", tenant=tenant, after=after or "", limit=limit)
        return [organisation_from(r) for r in rows]

    def page_with_open_deals(
        self, tenant: str, *, limit: int, after: str | None
    ) -> list[OrganisationPublic]:
        """One page of the organisations that have an open deal, in id order."""
        rows = self._tx.rows(
            "organisation_list_with_open_deals", tenant=tenant, after=after or "", limit=limit
        )
        return [organisation_from(r) for r in rows]

    def version(self, tenant: str, org_id: str) -> int:
        return _version(
            self._tx.row("organisation_version", tenant=tenant, org_id=org_id), "organisation"
        )

    def known(self, tenant: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are organisations of the tenant."""
        wanted = sorted(ids)
        if not wanted:
            return set()
        return {r["id"] for r in self._tx.rows("organisation_known", tenant=tenant, ids=wanted)}

    def versions(self, tenant: str, org_ids: Sequence[str]) -> dict[str, int]:
        """The stored organisations among ``org_ids`` with their versions (no lock)."""
        rows = self._tx.rows("organisation_versions", tenant=tenant, org_ids=list(org_ids))
        return {r["id"]: int(r["version"]) for r in rows}

    def check_parent(self, tenant: str, org_id: str, parent_id: str | None) -> None:
        """Refuse a parent that is unknown or would make ``org_id`` its own ancestor."""
        seen = {org_id}
        current = parent_id
        while current is not None:
            if current in seen:
                raise ValidationFailed(
                    [
                        FieldError(
                            "parent_id",
                            _("this parent would make the organisation its own ancestor"),
                        )
                    ]
                )
            seen.add(current)
            row = self._tx.row("organisation_parent", tenant=tenant, org_id=current)
            if row is None:
                raise ValidationFailed(
                    [FieldError("parent_id", _("unknown organisation {id!r}").format(id=current))]
                )
            current = row["parent_id"]


class Organisations(OrganisationReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def lock(self, tenant: str, org_id: str) -> int:
        """Take the organisation's write lock; answer its version (NotFound)."""
        return _version(
            self._write.row("organisation_lock", tenant=tenant, org_id=org_id), "organisation"
        )

    def lock_many(self, tenant: str, org_ids: Sequence[str]) -> dict[str, int]:
        """Lock the stored ones among ``org_ids`` (sorted: two imports never deadlock)."""
        rows = self._write.rows("organisation_lock_many", tenant=tenant, org_ids=sorted(org_ids))
        return {r["id"]: int(r["version"]) for r in rows}

    def bump(self, tenant: str, org_id: str) -> int:
        """Bump the version (which takes the write lock); answer the new one (NotFound)."""
        now = to_storable(utcnow())
        row = _found(
            self._write.row("organisation_bump", tenant=tenant, org_id=org_id, now=now),
            "organisation",
        )
        History(self._write).record("organisation", [row])
        return int(row["version"])

    def bump_tenant(self, tenant: str) -> None:
        """A team change: every organisation's snapshot shows it."""
        bumped = self._write.rows(
            "organisation_bump_tenant", tenant=tenant, now=to_storable(utcnow())
        )
        History(self._write).record("organisation", bumped)

    def insert(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("organisation_create_many", rows)
        History(self._write).record("organisation", rows)

    def replace(self, row: Row) -> None:
        self._write.write_rows("organisation_update_many", [row])
        History(self._write).record("organisation", [row])

    def set_versions(self, tenant: str, versions: Sequence[tuple[str, int]]) -> None:
        now = to_storable(utcnow())
        self._write.write_rows(
            "organisation_set_versions",
            [{"tenant": tenant, "id": org_id, "version": v, "now": now} for org_id, v in versions],
        )
        History(self._write).record(
            "organisation", [self.row(tenant, org_id) for org_id, _v in versions]
        )

    def affiliates(self, tenant: str, org_id: str) -> set[str]:
        """Organisations whose people are affiliated with this one."""
        rows = self._write.rows("organisation_affiliates", tenant=tenant, org_id=org_id)
        return {r["org_id"] for r in rows}

    def delete(self, tenant: str, org_id: str) -> None:
        history = History(self._write)
        history.close_organisation(tenant, org_id)
        history.close_touching(tenant, org_id)  # affiliations with it, from other accounts
        self._write.rows("organisation_delete", tenant=tenant, org_id=org_id)


# --- people ------------------------------------------------------------------------------


class PeopleReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def row(self, tenant: str, org_id: str, person_id: str) -> Row:
        row = self._tx.row("person_get", tenant=tenant, org_id=org_id, person_id=person_id)
        return _found(row, "person")

    def get(self, tenant: str, org_id: str, person_id: str) -> PersonPublic:
        return person_from(self.row(tenant, org_id, person_id))

    def page(
        self, tenant: str, org_id: str, *, limit: int, after: str | None
    ) -> list[PersonPublic]:
        rows = self._tx.rows(
            "person_list", tenant=tenant, org_id=org_id, after=after or "", limit=limit
        )
        return [person_from(r) for r in rows]

    def version(self, tenant: str, org_id: str, person_id: str) -> int:
        row = self._tx.row("person_version", tenant=tenant, org_id=org_id, person_id=person_id)
        return _version(row, "person")

    def ids_of(self, tenant: str, org_id: str) -> set[str]:
        return {r["id"] for r in self._tx.rows("person_ids_of_org", tenant=tenant, org_id=org_id)}

    def known(self, tenant: str, org_id: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are people of the organisation."""
        wanted = sorted(ids)
        if not wanted:
            return set()
        rows = self._tx.rows("person_known", tenant=tenant, org_id=org_id, ids=wanted)
        return {r["id"] for r in rows}

    def rows_of(self, tenant: str, org_ids: Sequence[str]) -> list[Row]:
        """Every stored person of ``org_ids`` (each row names its ``org_id``)."""
        if not org_ids:
            return []
        return self._tx.rows("people_of_orgs", tenant=tenant, org_ids=list(org_ids))


class People(PeopleReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def insert(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("person_create_many", rows)
        History(self._write).record("person", rows)

    def replace(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("person_update_many", rows)
        History(self._write).record("person", rows)

    def delete(self, tenant: str, org_id: str, person_id: str) -> None:
        """Delete the person and every tie touching them."""
        self._write.rows("person_delete", tenant=tenant, org_id=org_id, person_id=person_id)
        History(self._write).close_touching(tenant, person_id)


# --- our team ----------------------------------------------------------------------------


class TeamReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def row(self, tenant: str, member_id: str) -> Row:
        row = self._tx.row("team_get", tenant=tenant, member_id=member_id)
        return _found(row, "team member")

    def get(self, tenant: str, member_id: str) -> TeamMemberPublic:
        return team_member_from(self.row(tenant, member_id))

    def page(self, tenant: str, *, limit: int, after: str | None) -> list[TeamMemberPublic]:
        rows = self._tx.rows("team_list", tenant=tenant, after=after or "", limit=limit)
        return [team_member_from(r) for r in rows]

    def all_rows(self, tenant: str) -> list[Row]:
        return self._tx.rows("team_of_tenant", tenant=tenant)

    def known(self, tenant: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are our team members."""
        wanted = sorted(ids)
        if not wanted:
            return set()
        return {r["id"] for r in self._tx.rows("team_known", tenant=tenant, ids=wanted)}


class Team(TeamReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def lock(self, tenant: str, member_id: str) -> int:
        row = self._write.row("team_lock", tenant=tenant, member_id=member_id)
        return _version(row, "team member")

    def insert(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("team_create_many", rows)
        History(self._write).record("team", rows)

    def replace(self, row: Row) -> None:
        self._write.write_rows("team_update_many", [row])
        History(self._write).record("team", [row])

    def delete(self, tenant: str, member_id: str) -> None:
        """Delete the member and their ties; the deals they owned have no owner any more."""
        owned = self._write.rows(
            "team_delete", tenant=tenant, member_id=member_id, now=to_storable(utcnow())
        )
        history = History(self._write)
        history.close_touching(tenant, member_id)
        history.record("opportunity", owned)


# --- ties --------------------------------------------------------------------------------


class TieReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def row(self, tenant: str, org_id: str, rel_id: str) -> Row:
        found = self._tx.row("relationship_get", tenant=tenant, org_id=org_id, rel_id=rel_id)
        return _found(found, "relationship")

    def get(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic:
        return relationship_from(self.row(tenant, org_id, rel_id))

    def page(
        self, tenant: str, org_id: str, *, limit: int, after: str | None
    ) -> list[RelationshipPublic]:
        rows = self._tx.rows(
            "relationship_list", tenant=tenant, org_id=org_id, after=after or "", limit=limit
        )
        return [relationship_from(r) for r in rows]

    def version(self, tenant: str, org_id: str, rel_id: str) -> int:
        row = self._tx.row("relationship_version", tenant=tenant, org_id=org_id, rel_id=rel_id)
        return _version(row, "relationship")

    def lean(self, tenant: str, org_id: str) -> list[tuple[RelType, str, str, bool]]:
        """Every tie of the organisation as (type, source, target, dotted)."""
        return [
            (RelType(r["type"]), r["source_id"], r["target_id"], bool(r["dotted"]))
            for r in self._tx.rows("ties_of_org", tenant=tenant, org_id=org_id)
        ]

    def rows_of(self, tenant: str, org_ids: Sequence[str]) -> list[Row]:
        """Every stored tie of ``org_ids`` (each row names its ``org_id``)."""
        if not org_ids:
            return []
        return self._tx.rows("relationships_of_orgs", tenant=tenant, org_ids=list(org_ids))

    def knows_between(
        self, tenant: str, org_id: str, member_ids: Sequence[str], person_ids: Sequence[str]
    ) -> list[Row]:
        """The KNOWS ties from ``member_ids`` to ``person_ids`` of the organisation."""
        return _between(self._tx, "knows_between", tenant, org_id, member_ids, person_ids)


class Ties(TieReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def insert(self, rows: Sequence[Row]) -> None:
        for rel_type, statement in CREATE_TIE.items():
            typed = [r for r in rows if r["type"] == rel_type.value]
            if typed:
                self._write.write_rows(statement, typed)
        History(self._write).record("relationship", rows)

    def replace(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("relationship_update_many", rows)
        History(self._write).record("relationship", rows)

    def remove(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("relationship_delete_many", rows)
        if rows:
            History(self._write).close(rows[0]["tenant"], "relationship", [r["id"] for r in rows])

    def delete(self, tenant: str, org_id: str, rel_id: str) -> None:
        self._write.rows("relationship_delete", tenant=tenant, org_id=org_id, rel_id=rel_id)
        History(self._write).close(tenant, "relationship", [rel_id])


# --- deals ---------------------------------------------------------------------------------


class OpportunityReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def row(self, tenant: str, org_id: str, opp_id: str) -> Row:
        row = self._tx.row("opportunity_get", tenant=tenant, org_id=org_id, opp_id=opp_id)
        return _found(row, "opportunity")

    def get(self, tenant: str, org_id: str, opp_id: str) -> OpportunityPublic:
        return opportunity_from(self.row(tenant, org_id, opp_id))

    def page(
        self, tenant: str, org_id: str, *, limit: int, after: str | None
    ) -> list[OpportunityPublic]:
        rows = self._tx.rows(
            "opportunity_list", tenant=tenant, org_id=org_id, after=after or "", limit=limit
        )
        return [opportunity_from(r) for r in rows]

    def version(self, tenant: str, org_id: str, opp_id: str) -> int:
        row = self._tx.row("opportunity_version", tenant=tenant, org_id=org_id, opp_id=opp_id)
        return _version(row, "opportunity")

    def rows_of(self, tenant: str, org_ids: Sequence[str]) -> list[Row]:
        """Every deal of ``org_ids`` (each row names its ``org_id``)."""
        if not org_ids:
            return []
        return self._tx.rows("opportunities_of_orgs", tenant=tenant, org_ids=list(org_ids))


class Opportunities(OpportunityReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def insert(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("opportunity_create_many", rows)
        History(self._write).record("opportunity", rows)

    def replace(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("opportunity_update_many", rows)
        History(self._write).record("opportunity", rows)

    def delete(self, tenant: str, org_id: str, opp_id: str) -> None:
        """Delete the deal and its committee."""
        self._write.rows("opportunity_delete", tenant=tenant, org_id=org_id, opp_id=opp_id)
        History(self._write).close_touching(tenant, opp_id)


class CommitteeReads:
    """The seats of deals' buying committees (one per person and deal)."""

    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def find(self, tenant: str, org_id: str, opp_id: str, person_id: str) -> Row | None:
        return self._tx.row(
            "seat_get", tenant=tenant, org_id=org_id, opp_id=opp_id, person_id=person_id
        )

    def get(self, tenant: str, org_id: str, opp_id: str, person_id: str) -> CommitteeSeatPublic:
        return seat_from(_found(self.find(tenant, org_id, opp_id, person_id), "committee seat"))

    def page(
        self, tenant: str, org_id: str, opp_id: str, *, limit: int, after: str | None
    ) -> list[CommitteeSeatPublic]:
        rows = self._tx.rows(
            "seat_list",
            tenant=tenant,
            org_id=org_id,
            opp_id=opp_id,
            after=after or "",
            limit=limit,
        )
        return [seat_from(r) for r in rows]

    def rows_of(self, tenant: str, org_ids: Sequence[str]) -> list[Row]:
        """Every seat of the deals of ``org_ids``."""
        if not org_ids:
            return []
        return self._tx.rows("seats_of_orgs", tenant=tenant, org_ids=list(org_ids))


class Committee(CommitteeReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def put(self, rows: Sequence[Row]) -> None:
        """Create or replace seats (whole rows)."""
        self._write.write_rows("seat_put_many", rows)
        History(self._write).record("seat", rows)

    def delete(self, tenant: str, org_id: str, opp_id: str, person_id: str) -> None:
        seat = self.find(tenant, org_id, opp_id, person_id)
        self._write.rows(
            "seat_delete", tenant=tenant, org_id=org_id, opp_id=opp_id, person_id=person_id
        )
        if seat is not None:
            History(self._write).close(tenant, "seat", [seat["id"]])

    def clear_primary(self, tenant: str, org_id: str, opp_id: str, person_id: str) -> None:
        """Make every seat of the deal but ``person_id``'s not primary."""
        changed = self._write.rows(
            "seat_clear_primary",
            tenant=tenant,
            org_id=org_id,
            opp_id=opp_id,
            person_id=person_id,
            now=to_storable(utcnow()),
        )
        History(self._write).record("seat", changed)


# --- interactions ----------------------------------------------------------------------


#: The cursor of a timeline's first page: after every stored (day, id).
TIMELINE_START = ("9999-12-31", "~")


@dataclass(frozen=True)
class TimelineQuery:
    """Which interactions a timeline shows: between two days (inclusive), optionally only
    those with a person or a team member, newest first, from ``before`` on."""

    since: str = "0001-01-01"
    until: str = "9999-12-31"
    person_id: str = ""
    member_id: str = ""
    before: tuple[str, str] = TIMELINE_START

    def window(self) -> dict[str, str]:
        """The parameters both timeline statements take (member, days, cursor)."""
        return {
            "member_id": self.member_id,
            "since": self.since,
            "until": self.until,
            "before_on": self.before[0],
            "before_id": self.before[1],
        }


class InteractionReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def get(self, tenant: str, org_id: str, interaction_id: str) -> InteractionPublic:
        row = self._tx.row(
            "interaction_get", tenant=tenant, org_id=org_id, interaction_id=interaction_id
        )
        return interaction_from(_found(row, "interaction"))

    def page(
        self, tenant: str, org_id: str, query: TimelineQuery, *, limit: int
    ) -> list[InteractionPublic]:
        rows = self._tx.rows(
            "interaction_list",
            tenant=tenant,
            org_id=org_id,
            person_id=query.person_id,
            limit=limit,
            **query.window(),
        )
        return [interaction_from(r) for r in rows]

    def page_of_member(
        self, tenant: str, query: TimelineQuery, *, limit: int
    ) -> list[InteractionPublic]:
        rows = self._tx.rows(
            "interaction_list_of_member", tenant=tenant, limit=limit, **query.window()
        )
        return [interaction_from(r) for r in rows]

    def between(
        self, tenant: str, org_id: str, member_ids: Sequence[str], person_ids: Sequence[str]
    ) -> list[Row]:
        """Every interaction of the organisation with one of ``member_ids`` and one of
        ``person_ids``."""
        return _between(
            self._tx, "interaction_history_between", tenant, org_id, member_ids, person_ids
        )


class Interactions(InteractionReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def insert(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("interaction_create_many", rows)

    def forget_person(self, tenant: str, org_id: str, person_id: str) -> None:
        """Take a deleted person out of every interaction (one left with nobody goes)."""
        self._write.rows(
            "interaction_forget_person", tenant=tenant, org_id=org_id, person_id=person_id
        )

    def forget_member(self, tenant: str, member_id: str) -> None:
        """Take a deleted team member out of every interaction."""
        self._write.rows("interaction_forget_member", tenant=tenant, member_id=member_id)


def snapshot(tx: ReadTx, tenant: str, org_id: str) -> OrgSnapshot:
    """Everything of one organisation, read in one transaction."""
    organisation = OrganisationReads(tx).get(tenant, org_id)
    people = PeopleReads(tx).rows_of(tenant, [org_id])
    team = TeamReads(tx).all_rows(tenant)
    ties = TieReads(tx).rows_of(tenant, [org_id])
    deals = OpportunityReads(tx).rows_of(tenant, [org_id])
    seats = CommitteeReads(tx).rows_of(tenant, [org_id])
    return OrgSnapshot(
        organisation=organisation,
        people=sorted((person_from(p) for p in people), key=lambda p: p.id),
        team=sorted((team_member_from(t) for t in team), key=lambda t: t.id),
        relationships=sorted((relationship_from(r) for r in ties), key=lambda r: r.id),
        opportunities=sorted((opportunity_from(d) for d in deals), key=lambda d: d.id),
        committee=sorted(
            (seat_from(s) for s in seats), key=lambda s: (s.opportunity_id, s.person_id)
        ),
    )


# --- API keys, audit, idempotency ------------------------------------------------------------


class ApiKeyReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def find(self, secret_hash: str) -> ApiKeyPublic | None:
        row = self._tx.row("api_key_find", secret_hash=secret_hash)
        return None if row is None else api_key_from(row)

    def of_tenant(self, tenant: str) -> list[ApiKeyPublic]:
        return [api_key_from(r) for r in self._tx.rows("api_key_list", tenant=tenant)]


class ApiKeys(ApiKeyReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def create(self, row: Row, *, unless_known: bool) -> ApiKeyPublic:
        statement = "api_key_ensure" if unless_known else "api_key_create"
        return api_key_from(_found(self._write.row(statement, **row), "API key"))

    def touch(self, key_id: str) -> None:
        self._write.rows("api_key_touch", key_id=key_id, now=to_storable(utcnow()))

    def revoke(self, tenant: str, key_id: str) -> ApiKeyPublic:
        row = self._write.row(
            "api_key_revoke", tenant=tenant, key_id=key_id, now=to_storable(utcnow())
        )
        return api_key_from(_found(row, "API key"))


class AuditReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def page(self, tenant: str, *, limit: int, after: str | None) -> list[AuditEntry]:
        rows = self._tx.rows("audit_list", tenant=tenant, after=after or "", limit=limit)
        return [AuditEntry.model_validate(r) for r in rows]


class AuditLog(AuditReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def append(self, entry: AuditEntry) -> None:
        self._write.write_rows("audit_append", [entry.model_dump(mode="json")])


class IdempotencyRecords:
    """The records of :mod:`graph.idempotency`, read and written under their lock."""

    def __init__(self, tx: WriteTx) -> None:
        self._write = tx

    def lock(self, tenant: str, key: str) -> Row | None:
        """The key's record with its write lock held from now on; None if there is none
        (Neo4j makes a placeholder with state ``new`` to lock; that counts as none)."""
        row = self._write.row("idempotency_lock", tenant=tenant, key=key)
        if row is None or row.get("state") in (None, "new"):
            return None
        return row

    def save(self, row: Row) -> None:
        self._write.write_rows("idempotency_save", [row])

    def release(self, tenant: str, key: str, token: str) -> None:
        self._write.rows("idempotency_release", tenant=tenant, key=key, token=token)

    def purge(self, now: float, limit: int) -> int:
        row = self._write.row("idempotency_purge", now=now, limit=limit)
        return int(row["deleted"]) if row else 0
