"""Deals as analytics see them: an opportunity and its buying committee's seats.

:func:`graph.network.build_graph` puts every deal of the organisation in the graph attribute
``opportunities``; :func:`graph.analytics.deals.deal_graph` is the view of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["Deal", "Seat"]


@dataclass(frozen=True, slots=True)
class Seat:
    """One person's seat on a deal's buying committee."""

    person_id: str
    roles: frozenset[str]
    stance: str
    influence: int | None = None
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class Deal:
    """A deal (opportunity) as analytics see it; ``seats`` in person-id order."""

    id: str
    name: str
    stage: str
    status: str
    close_date: date | None = None
    trigger: str | None = None
    owner_id: str | None = None
    amount: str | None = None
    currency: str | None = None
    seats: tuple[Seat, ...] = ()
    external_id: str | None = None

    def seat_of(self, person_id: str) -> Seat | None:
        return next((seat for seat in self.seats if seat.person_id == person_id), None)
