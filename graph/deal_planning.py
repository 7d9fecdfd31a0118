"""The import rules for deals: opportunities and their buying committees.

:class:`DealRules` is part of the import planner (:class:`graph.planning._Planner` mixes
it in), so a deal created by ``POST …/opportunities`` and one in an import body are checked
by the same rules with the same messages:

* an opportunity's ``ref`` is unique among every ref of the request;
* ``owner`` names a team member (a ref of the request, an id, or on upsert an email);
* each committee ``person`` names a person of this organisation (a ref of the request or a
  stored one), once per deal; at most one seat per deal is ``is_primary``.

On upsert a deal is the stored one with the same ``external_id``, else the same name
(ignoring case); it is rewritten only when a field the request sets differs. A seat is the
stored one of the same person on that deal, rewritten only when it differs; seats the
request leaves out are kept. A new primary seat makes the stored primary one not primary.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from graph.messages import _
from graph.records import OPPORTUNITY_FIELDS, to_storable
from schemas.deals import CommitteeSeatFields
from schemas.imports import CommitteeImport, OpportunityImport

if TYPE_CHECKING:
    from graph.planning import ImportPlan, OrgContext, Row

__all__ = ["DealRules", "deal_refs", "opportunity_row", "seat_row"]

_OPPORTUNITY_FIELD_SET = frozenset(OPPORTUNITY_FIELDS) - {"owner_id"}
_SEAT_FIELDS = ("roles", "stance", "influence", "is_primary")
#: what matching answers for a deal it refused (ambiguous, or matched twice)
_REFUSED: Row = {}


def deal_refs(opportunities: list[OpportunityImport]) -> set[str]:
    """Every owner and committee person the deals name (some may be stored ids)."""
    used: set[str] = set()
    for deal in opportunities:
        if deal.owner is not None:
            used.add(deal.owner)
        used |= {seat.person for seat in deal.committee}
    return used


def opportunity_row(
    deal: OpportunityImport, opp_id: str, owner_id: str | None, context: OrgContext, now: str
) -> Row:
    row: Row = {
        "id": opp_id,
        "tenant": context.tenant,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "org_id": context.org_id,
    }
    for name in OPPORTUNITY_FIELDS:
        row[name] = to_storable(getattr(deal, name))
    row["owner_id"] = owner_id
    return row


def seat_row(
    seat: CommitteeSeatFields,
    *,
    tenant: str,
    org_id: str,
    opp_id: str,
    person_id: str,
    now: str,
    new_id: str,
) -> Row:
    """The stored row of a new seat (an import's or a ``PUT``'s)."""
    return {
        "id": new_id,
        "tenant": tenant,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "org_id": org_id,
        "opportunity_id": opp_id,
        "person_id": person_id,
        "roles": [role.value for role in seat.roles],
        "stance": seat.stance.value,
        "influence": seat.influence,
        "is_primary": seat.is_primary,
    }


def _deal_changes(deal: OpportunityImport, owner_id: str | None, stored: Row) -> Row:
    """The fields an upsert of ``deal`` changes on the ``stored`` one."""
    given = deal.model_fields_set & _OPPORTUNITY_FIELD_SET
    if given & {"stage", "status"}:
        given |= {"stage", "status"}  # one implies the other
    if "amount" in given or "currency" in given:
        given |= {"amount", "currency"}
    wanted = {name: to_storable(getattr(deal, name)) for name in given}
    if "owner" in deal.model_fields_set:
        wanted["owner_id"] = owner_id
    return {name: value for name, value in wanted.items() if stored.get(name) != value}


def _differs(stored: object, wanted: object) -> bool:
    """Whether an upsert changes a value (SQLite keeps flags as 0 and 1)."""
    if isinstance(wanted, bool):
        return bool(stored) is not wanted
    return stored != wanted


class DealRules:
    """The deal rules of the import planner (see the module docstring)."""

    # provided by graph.planning._Planner
    context: OrgContext
    plan: ImportPlan
    ids: dict[str, str]
    kinds: dict[str, str]
    now: str
    unchanged: Counter[str]
    upsert: bool

    def fail(self, path: str, reason: str) -> None:
        raise NotImplementedError

    def resolve(self, ref: str) -> tuple[str, str] | str | None:
        raise NotImplementedError

    def next_id(self) -> str:
        raise NotImplementedError

    def next_state(self, row: Row, changes: Row) -> Row:
        raise NotImplementedError

    def plan_deals(self, deals: list[OpportunityImport]) -> None:
        stored_deals = self.context.opportunities or []
        by_external: dict[str, list[Row]] = defaultdict(list)
        by_name: dict[str, list[Row]] = defaultdict(list)
        for row in stored_deals:
            if row.get("external_id"):
                by_external[row["external_id"]].append(row)
            by_name[row["name"].casefold()].append(row)
        seats: dict[tuple[str, str], Row] = {
            (row["opportunity_id"], row["person_id"]): row for row in self.context.seats or []
        }
        claimed: dict[str, int] = {}
        for index, deal in enumerate(deals):
            path = f"opportunities[{index}]"
            owner_id = self._owner(deal, path)
            stored = (
                self._match(deal, index, by_external, by_name, claimed) if self.upsert else None
            )
            if stored is _REFUSED:
                continue
            if stored is None:
                opp_id = self.ids.setdefault(deal.ref, self.next_id())
                self.kinds[opp_id] = "opportunity"
                self.plan.opportunities.append(
                    opportunity_row(deal, opp_id, owner_id, self.context, self.now)
                )
            else:
                opp_id = stored["id"]
                self.ids.setdefault(deal.ref, opp_id)
                self.kinds[opp_id] = "opportunity"
                changes = _deal_changes(deal, owner_id, stored)
                if changes:
                    self.plan.updated_opportunities.append(self.next_state(stored, changes))
                else:
                    self.unchanged["opportunities"] += 1
            self._plan_committee(deal, path, opp_id, seats)

    def _owner(self, deal: OpportunityImport, path: str) -> str | None:
        if deal.owner is None:
            return None
        found = self.resolve(deal.owner)
        if isinstance(found, tuple) and found[1] == "team":
            return found[0]
        if isinstance(found, tuple):
            reason = _("the owner must be one of our team members, not a {kind}").format(
                kind=found[1]
            )
        else:
            reason = found or _("unknown team member ref or id {ref!r}").format(ref=deal.owner)
        self.fail(f"{path}.owner", reason)
        return None

    def _match(
        self,
        deal: OpportunityImport,
        index: int,
        by_external: dict[str, list[Row]],
        by_name: dict[str, list[Row]],
        claimed: dict[str, int],
    ) -> Row | None:
        """Upsert: the stored deal ``deal`` is, None for a new one, :data:`_REFUSED` if it
        is refused."""
        key, found = "external_id", by_external.get(deal.external_id or "", [])
        if not found and not deal.external_id:
            key, found = "name", by_name.get(deal.name.casefold(), [])
        path = f"opportunities[{index}].{key}"
        if len(found) > 1:
            self.fail(
                path,
                _("matches {count} stored deals by {key}; give it an external_id").format(
                    count=len(found), key=key
                ),
            )
            return _REFUSED
        if not found:
            return None
        row = found[0]
        if row["id"] in claimed:
            self.fail(
                path,
                _("matches the same stored deal as opportunities[{first}]").format(
                    first=claimed[row["id"]]
                ),
            )
            return _REFUSED
        claimed[row["id"]] = index
        return row

    def _plan_committee(
        self,
        deal: OpportunityImport,
        path: str,
        opp_id: str,
        stored: dict[tuple[str, str], Row],
    ) -> None:
        seen: dict[str, int] = {}
        primary = [i for i, seat in enumerate(deal.committee) if seat.is_primary]
        for extra in primary[1:]:
            self.fail(
                f"{path}.committee[{extra}].is_primary",
                _("a deal has one primary contact: committee[{first}] is already").format(
                    first=primary[0]
                ),
            )
        for index, seat in enumerate(deal.committee):
            seat_path = f"{path}.committee[{index}].person"
            person_id = self._person(seat.person, seat_path)
            if person_id is None:
                continue
            if person_id in seen:
                self.fail(
                    seat_path,
                    _("this person already sits on the committee at committee[{first}]").format(
                        first=seen[person_id]
                    ),
                )
                continue
            seen[person_id] = index
            self._plan_seat(seat, opp_id, person_id, stored.get((opp_id, person_id)))
        if primary and stored:
            self._unset_other_primary(opp_id, deal.committee[primary[0]].person, seen, stored)

    def _unset_other_primary(
        self, opp_id: str, ref: str, seen: dict[str, int], stored: dict[tuple[str, str], Row]
    ) -> None:
        """A new primary seat: the deal's stored primary seat no longer is."""
        found = self.resolve(ref)
        chosen = found[0] if isinstance(found, tuple) else None
        for (deal_id, person_id), row in stored.items():
            if deal_id != opp_id or not row.get("is_primary") or person_id == chosen:
                continue
            if person_id not in seen:  # a seat the request rewrites says so itself
                self.plan.updated_seats.append(self.next_state(row, {"is_primary": False}))

    def _person(self, ref: str, path: str) -> str | None:
        found = self.resolve(ref)
        if isinstance(found, tuple) and found[1] == "person":
            return found[0]
        if isinstance(found, tuple):
            reason = _("a committee seat is held by a person of this organisation, not a {kind}")
            self.fail(path, reason.format(kind=found[1]))
        else:
            self.fail(
                path, found or _("unknown ref or id {ref!r} in this organisation").format(ref=ref)
            )
        return None

    def _plan_seat(
        self, seat: CommitteeImport, opp_id: str, person_id: str, stored: Row | None
    ) -> None:
        row = seat_row(
            seat,
            tenant=self.context.tenant,
            org_id=self.context.org_id,
            opp_id=opp_id,
            person_id=person_id,
            now=self.now,
            new_id=self.next_id(),
        )
        if stored is None:
            self.plan.seats.append(row)
            return
        given = (seat.model_fields_set | {"roles"}) & set(_SEAT_FIELDS)
        changes = {name: row[name] for name in given if _differs(stored.get(name), row[name])}
        if changes:
            self.plan.updated_seats.append(self.next_state(stored, changes))
        else:
            self.unchanged["committee"] += 1
