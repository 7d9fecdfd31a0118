"""``stakemap log``: record a meeting, call, email, event or message with an account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import ValidationError

from app.cli.lookup import member_id, organisation_id, person_id
from app.cli.render import show_logged
from app.cli.shared import KeyOption, OrgArgument, TenantOption, UrlOption, open_backend
from schemas.interactions import InitiatedBy, InteractionCreate, InteractionKind, Sentiment

__all__ = ["log"]


def log(
    org: OrgArgument,
    kind: Annotated[InteractionKind, typer.Option(help="What it was")],
    member: Annotated[
        list[str],
        typer.Option(help="Our team member who took part (id, email or name); repeat for more"),
    ],
    person: Annotated[
        list[str],
        typer.Option(
            help="Their person who took part (id, email, external_id or name); repeat for more"
        ),
    ],
    on: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day it happened [default: today, UTC]"),
    ] = None,
    summary: Annotated[str | None, typer.Option(help="What was said or agreed")] = None,
    sentiment: Annotated[Sentiment | None, typer.Option(help="How it went")] = None,
    initiated_by: Annotated[
        InitiatedBy | None, typer.Option(help="Who reached out (them: a sign of a two-way tie)")
    ] = None,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Log an interaction: the ties between the members and the people get it as their last
    contact and the strength their history supports; missing ties are created."""
    day = (on or datetime.now(UTC)).date()
    with open_backend(url, key, tenant) as backend:
        org_id = organisation_id(backend, org)
        members = [member_id(backend, m) or m for m in member]
        people = [person_id(backend, org_id, p) or p for p in person]
        try:
            data = InteractionCreate(
                occurred_on=day,
                kind=kind,
                member_ids=members,
                person_ids=people,
                summary=summary,
                sentiment=sentiment,
                initiated_by=initiated_by,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise typer.BadParameter(f"{field}: {first['msg']}") from exc
        logged = backend.log_interaction(org_id, data)
        names = {m.id: m.name for m in backend.team()}
        names |= {p.id: p.name for p in backend.people(org_id)}
    show_logged(logged, names)
