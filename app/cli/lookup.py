"""The ids behind what a person types on the command line: an organisation (id or name), a
person (``--target``) and a team member (``--member``).

The matching rule is :mod:`graph.lookup`'s, the import planner's: keys in order, emails and
names ignoring case, the first key that finds anyone decides. Here a miss or an ambiguity is a
:class:`~app.cli.backend.CliFailure` that says what to type instead.
"""

from __future__ import annotations

import re

from app.cli.backend import Backend, CliFailure
from graph.errors import NotFound
from graph.lookup import MEMBER, ORGANISATION, PERSON, Directory

__all__ = ["member_id", "organisation_id", "person_id"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def organisation_id(backend: Backend, org: str) -> str:
    """The id of the organisation named ``org`` (an id, or a name ignoring case)."""
    if _UUID.match(org):
        try:
            return backend.organisation(org).id
        except NotFound:
            pass
    found = Directory(backend.organisations()).find(org, ORGANISATION)
    if found is None:
        raise CliFailure(f"no organisation {org!r} in {backend.where}")
    if found.unique is None:
        ids = ", ".join(o.id for o in found.items)
        raise CliFailure(f"{len(found.items)} organisations are named {org!r} ({ids}); use an id")
    return found.unique.id


def member_id(backend: Backend, member: str | None) -> str | None:
    """The id of the team member ``member`` names (id, email or name), or None for None."""
    if member is None:
        return None
    found = Directory(backend.team()).find(member, MEMBER)
    if found is None:
        raise CliFailure(f"no team member {member!r} in {backend.where}")
    if found.unique is None:
        raise CliFailure(f"{len(found.items)} team members match {member!r}; use an id or email")
    return found.unique.id


def person_id(backend: Backend, org_id: str, person: str | None) -> str | None:
    """The id of the person of ``org_id`` that ``person`` names (id, external_id, email or
    name), or None for None."""
    if person is None:
        return None
    found = Directory(backend.people(org_id)).find(person, PERSON)
    if found is None:
        raise CliFailure(f"no person {person!r} in this organisation")
    if found.unique is None:
        raise CliFailure(f"{len(found.items)} people match {person!r}; use an id or email")
    return found.unique.id
