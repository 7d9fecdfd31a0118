"""``stakemap next`` and ``stakemap paths``: who to reach next, and the ways in."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.lookup import member_id, organisation_id, person_id
from app.cli.render import show_entry_paths, show_next_contacts
from app.cli.shared import (
    KeyOption,
    MemberOption,
    OrgArgument,
    TenantOption,
    UrlOption,
    open_backend,
)

__all__ = ["next_", "paths"]


def next_(
    org: OrgArgument,
    target: Annotated[
        str | None,
        typer.Option(
            help="Person uplift is measured toward (id, email, external_id or name) "
            "[default: the top decision-maker]"
        ),
    ] = None,
    member: MemberOption = None,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many people")] = 5,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Who to reach next: people we are not engaged with yet, by the value of engaging them
    (reachability only breaks near-ties), with the path in and the reasons."""
    with open_backend(url, key, tenant) as backend:
        org_id = organisation_id(backend, org)
        result = backend.next_contacts(
            org_id,
            target_id=person_id(backend, org_id, target),
            member_id=member_id(backend, member),
            limit=limit,
        )
    show_next_contacts(result)


def paths(
    org: OrgArgument,
    target: Annotated[
        str | None,
        typer.Option(
            help="Person to reach (id, email, external_id or name) [default: the top "
            "decision-maker]"
        ),
    ] = None,
    member: MemberOption = None,
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many paths")] = 5,
    cold: Annotated[bool, typer.Option(help="Allow a cold approach as a last resort")] = True,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """The best top-down ways in: chains of introductions from our team to the target, most
    likely first, with each hop's probability and the risks."""
    with open_backend(url, key, tenant) as backend:
        org_id = organisation_id(backend, org)
        result = backend.entry_paths(
            org_id,
            target_id=person_id(backend, org_id, target),
            member_id=member_id(backend, member),
            k=k,
            include_cold=cold,
        )
    show_entry_paths(result)
