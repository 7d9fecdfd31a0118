"""Where the ``stakemap`` command gets its data: the configured store, or a running server.

:class:`LocalBackend` works on the store the ``STAKEMAP_*`` settings name (the same
composition root as the server); :class:`RemoteBackend` speaks the HTTP API with an API key
(``--url``, ``--key``). Both answer with our schema types, so the commands render one way.
Every failure becomes a :class:`CliFailure` carrying one line a person can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ValidationError

from app.bootstrap import Services, build_services
from app.settings import Settings
from graph.errors import FieldError, NotFound, StakemapError, ValidationFailed
from graph.port import MAX_PAGE_SIZE, ImportOutcome, OrgImport
from graph.store import GraphStore
from schemas.analytics import EntryPaths, InfluenceRanking, NextContacts
from schemas.imports import ImportResult, NewOrganisationImport
from schemas.interactions import InteractionCreate, InteractionLogged
from schemas.resources import OrganisationPublic, PersonPublic, TeamMemberPublic

__all__ = [
    "IMPORT_BATCH_ROWS",
    "Backend",
    "CliFailure",
    "LocalBackend",
    "RemoteBackend",
    "open_local",
]

#: Rows (people and ties) per ``import_many`` transaction, by store; an organisation is
#: never split. Measured with ``python -m bench.import_bench --sweep`` (docs/PERFORMANCE.md):
#: SQLite gains from few, large commits (each may checkpoint the WAL, with fsyncs); on Neo4j
#: 1,000 to 20,000 measured alike within the noise, and 5,000 (one UNWIND statement per kind
#: of row) keeps commits, each an fsync of the transaction log, few while a transaction's
#: state stays small for a 1 GiB heap.
IMPORT_BATCH_ROWS: dict[str, int] = {"sqlite": 20_000, "neo4j": 5_000}

CLI_CACHE_MAX_BYTES = 64 * 2**20
"""Bytes of answers a command keeps: the graph and ranking that its other answers reuse."""


class CliFailure(Exception):
    """A failure to report in one line (exit code 1)."""


class Backend(Protocol):
    """What the commands need, from a store or from a server."""

    #: where the data lives, for messages ("tenant default on sqlite var/stakemap.db")
    where: str
    #: rows per import transaction that suit the store
    batch_rows: int

    def close(self) -> None: ...

    def organisations(self) -> list[OrganisationPublic]: ...

    def organisation(self, org_id: str) -> OrganisationPublic: ...

    def people(self, org_id: str) -> list[PersonPublic]: ...

    def team(self) -> list[TeamMemberPublic]: ...

    def import_batch(self, items: Sequence[OrgImport], *, dry_run: bool) -> list[ImportOutcome]:
        """Upsert ``items`` (each organisation whole or not at all)."""

    def influence(self, org_id: str) -> InfluenceRanking: ...

    def influence_csv(self, org_id: str) -> str: ...

    def next_contacts(
        self, org_id: str, *, target_id: str | None, member_id: str | None, limit: int
    ) -> NextContacts: ...

    def entry_paths(
        self,
        org_id: str,
        *,
        target_id: str | None,
        member_id: str | None,
        k: int,
        include_cold: bool,
    ) -> EntryPaths: ...

    def log_interaction(self, org_id: str, data: InteractionCreate) -> InteractionLogged: ...

    def export(self, org_id: str, kind: str) -> bytes:
        """The power map: ``power-map`` (Cytoscape.js JSON), ``svg`` or ``graphml``."""


# --- on the store -----------------------------------------------------------------------------


def open_local(tenant: str) -> LocalBackend:
    """The configured store (``STAKEMAP_STORE`` and friends), for ``tenant``."""
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = "STAKEMAP_" + "_".join(str(part) for part in error["loc"]).upper()
        raise CliFailure(f"{name}: {error['msg']}") from exc
    where = (
        f"neo4j {settings.neo4j_uri}" if settings.store == "neo4j" else f"{settings.sqlite_path}"
    )
    try:
        # the server's services, so both answer alike; a command reads a snapshot once, and
        # its own writes drop what it cached
        services = build_services(
            settings.model_copy(update={"cache_max_bytes": CLI_CACHE_MAX_BYTES}),
            kernel_workers=False,
        )
    except StakemapError as exc:
        hint = " (is Neo4j running? see STAKEMAP_NEO4J_URI)" if settings.store == "neo4j" else ""
        raise CliFailure(f"{exc.detail}{hint}") from exc
    return LocalBackend(
        services, tenant, f"tenant {tenant!r} on {where}", IMPORT_BATCH_ROWS[settings.store]
    )


class LocalBackend:
    """The commands on a store, for one tenant."""

    def __init__(self, services: Services, tenant: str, where: str, batch_rows: int) -> None:
        self.services = services
        self.store: GraphStore = services.store
        self.analytics = services.analytics
        self.tenant = tenant
        self.where = where
        self.batch_rows = batch_rows

    def close(self) -> None:
        self.services.close()

    def organisations(self) -> list[OrganisationPublic]:
        found: list[OrganisationPublic] = []
        after: str | None = None
        while True:
            page = self.store.list_organisations(self.tenant, limit=MAX_PAGE_SIZE, after=after)
            found += page
            if len(page) < MAX_PAGE_SIZE:
                return found
            after = page[-1].id

    def organisation(self, org_id: str) -> OrganisationPublic:
        return self.store.get_organisation(self.tenant, org_id)

    def people(self, org_id: str) -> list[PersonPublic]:
        return self.store.snapshot(self.tenant, org_id).people

    def team(self) -> list[TeamMemberPublic]:
        found: list[TeamMemberPublic] = []
        after: str | None = None
        while True:
            page = self.store.list_team_members(self.tenant, limit=MAX_PAGE_SIZE, after=after)
            found += page
            if len(page) < MAX_PAGE_SIZE:
                return found
            after = page[-1].id

    def import_batch(self, items: Sequence[OrgImport], *, dry_run: bool) -> list[ImportOutcome]:
        return self.store.import_many(self.tenant, items, upsert=True, dry_run=dry_run)

    def influence(self, org_id: str) -> InfluenceRanking:
        ranking: InfluenceRanking = self.analytics.influence(self.tenant, org_id).model
        return ranking

    def influence_csv(self, org_id: str) -> str:
        return self.analytics.influence_csv(self.tenant, org_id).body.decode("utf-8")

    def next_contacts(
        self, org_id: str, *, target_id: str | None, member_id: str | None, limit: int
    ) -> NextContacts:
        result: NextContacts = self.analytics.next_contacts(
            self.tenant, org_id, target_id=target_id, member_id=member_id, limit=limit
        ).model
        return result

    def entry_paths(
        self,
        org_id: str,
        *,
        target_id: str | None,
        member_id: str | None,
        k: int,
        include_cold: bool,
    ) -> EntryPaths:
        result: EntryPaths = self.analytics.entry_paths(
            self.tenant,
            org_id,
            target_id=target_id,
            member_id=member_id,
            k=k,
            include_cold=include_cold,
        ).model
        return result

    def log_interaction(self, org_id: str, data: InteractionCreate) -> InteractionLogged:
        return self.store.log_interaction(self.tenant, org_id, data)

    def export(self, org_id: str, kind: str) -> bytes:
        # the very bytes the API answers
        if kind == "graphml":
            return self.analytics.graphml(self.tenant, org_id).body
        if kind == "svg":
            return self.analytics.power_map_svg(self.tenant, org_id).body
        return self.analytics.power_map(self.tenant, org_id).body


# --- on a server ------------------------------------------------------------------------------

_IMPORT_PATH = "/v1/organisations/{org_id}/import"
_NEW_ORG_IMPORT_PATH = "/v1/organisations/new/import"


class RemoteBackend:
    """The commands through the HTTP API of a running server (the key decides the tenant)."""

    def __init__(self, url: str, key: str, *, timeout: float = 120.0) -> None:
        self.url = url.rstrip("/")
        self.where = f"the server at {self.url}"
        self.batch_rows = IMPORT_BATCH_ROWS["neo4j"]  # one request per organisation anyway
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {key}", "User-Agent": "stakemap-cli"},
            timeout=timeout,
        )
        self._upsert_checked = False

    def close(self) -> None:
        self._http.close()

    # plumbing

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise CliFailure(f"cannot reach {self.url}: {exc} (is the server running?)") from exc
        if response.status_code == 404:
            detail = str(self._problem(response).get("detail") or "Not Found")
            if detail == "Not Found":  # no such route, as opposed to no such resource
                raise CliFailure(f"{self.url} has no {path} (a server without this feature?)")
            raise NotFound(detail.removesuffix(" not found"))
        if response.status_code == 422:
            problem = self._problem(response)
            raise ValidationFailed(
                [FieldError(e["field"], e["reason"]) for e in problem.get("errors", [])]
                or [FieldError("body", str(problem.get("detail", "invalid")))]
            )
        if response.status_code >= 400:
            problem = self._problem(response)
            detail = problem.get("detail") or problem.get("title") or response.reason_phrase
            hint = " (check --key)" if response.status_code in (401, 403) else ""
            if response.status_code == 413:
                hint = (
                    " (each organisation is sent whole in one request: import a large one on "
                    "the store directly, without --url)"
                )
            raise CliFailure(f"{self.url} answered {response.status_code}: {detail}{hint}")
        return response

    @staticmethod
    def _problem(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            return {"detail": response.text[:200]}
        return body if isinstance(body, dict) else {"detail": str(body)}

    def _get(self, path: str, model: type[BaseModel], **params: Any) -> Any:
        response = self._call(
            "GET", path, params={k: v for k, v in params.items() if v is not None}
        )
        return model.model_validate_json(response.content)

    def _pages(self, path: str, model: type[BaseModel]) -> list[Any]:
        items: list[Any] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": MAX_PAGE_SIZE}
            if cursor:
                params["cursor"] = cursor
            body = self._call("GET", path, params=params).json()
            items += [model.model_validate(item) for item in body["items"]]
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    # reads

    def organisations(self) -> list[OrganisationPublic]:
        return self._pages("/v1/organisations", OrganisationPublic)

    def organisation(self, org_id: str) -> OrganisationPublic:
        org: OrganisationPublic = self._get(f"/v1/organisations/{org_id}", OrganisationPublic)
        return org

    def people(self, org_id: str) -> list[PersonPublic]:
        return self._pages(f"/v1/organisations/{org_id}/people", PersonPublic)

    def team(self) -> list[TeamMemberPublic]:
        return self._pages("/v1/team", TeamMemberPublic)

    # imports

    def _require_upsert(self) -> None:
        if self._upsert_checked:
            return
        paths = self._call("GET", "/openapi.json").json().get("paths", {})
        for path in (_IMPORT_PATH, _NEW_ORG_IMPORT_PATH):
            operation = paths.get(path, {}).get("post", {})
            names = {p.get("name") for p in operation.get("parameters", [])}
            if not {"upsert", "dry_run"} <= names:
                raise CliFailure(
                    f"{self.url} does not offer upsert imports (POST {path}?upsert=true"
                    "&dry_run=); import on the store directly (without --url)"
                )
        self._upsert_checked = True

    def _post_import(self, path: str, body: BaseModel, *, dry_run: bool) -> ImportResult:
        response = self._call(
            "POST",
            path,
            params={"upsert": "true", "dry_run": str(dry_run).lower()},
            content=body.model_dump_json(exclude_unset=True),
            headers={"Content-Type": "application/json"},
        )
        return ImportResult.model_validate_json(response.content)

    def import_batch(self, items: Sequence[OrgImport], *, dry_run: bool) -> list[ImportOutcome]:
        """One request per organisation. A new one is created with its import in one
        transaction (``POST /v1/organisations/new/import``), and a dry run asks the server too,
        so it meets the very limits and rules the real run will."""
        self._require_upsert()
        outcomes: list[ImportOutcome] = []
        for item in items:
            try:
                if item.create is not None:
                    body: BaseModel = NewOrganisationImport.model_construct(
                        organisation=item.create,
                        people=item.request.people,
                        team=item.request.team,
                        relationships=item.request.relationships,
                    )
                    result = self._post_import(_NEW_ORG_IMPORT_PATH, body, dry_run=dry_run)
                else:
                    assert item.org_id is not None
                    path = _IMPORT_PATH.format(org_id=item.org_id)
                    result = self._post_import(path, item.request, dry_run=dry_run)
            except ValidationFailed as exc:
                outcomes.append(ImportOutcome(errors=exc.errors))
                continue
            except NotFound:
                outcomes.append(ImportOutcome(missing=True))
                continue
            outcomes.append(ImportOutcome(result=result))
        return outcomes

    # analytics

    def influence(self, org_id: str) -> InfluenceRanking:
        ranking: InfluenceRanking = self._get(
            f"/v1/organisations/{org_id}/influence", InfluenceRanking
        )
        return ranking

    def influence_csv(self, org_id: str) -> str:
        response = self._call("GET", f"/v1/organisations/{org_id}/influence.csv")
        return response.text

    def next_contacts(
        self, org_id: str, *, target_id: str | None, member_id: str | None, limit: int
    ) -> NextContacts:
        result: NextContacts = self._get(
            f"/v1/organisations/{org_id}/next-contacts",
            NextContacts,
            target_id=target_id,
            member_id=member_id,
            limit=limit,
        )
        return result

    def entry_paths(
        self,
        org_id: str,
        *,
        target_id: str | None,
        member_id: str | None,
        k: int,
        include_cold: bool,
    ) -> EntryPaths:
        result: EntryPaths = self._get(
            f"/v1/organisations/{org_id}/entry-paths",
            EntryPaths,
            target_id=target_id,
            member_id=member_id,
            k=k,
            include_cold=str(include_cold).lower(),
        )
        return result

    def log_interaction(self, org_id: str, data: InteractionCreate) -> InteractionLogged:
        response = self._call(
            "POST",
            f"/v1/organisations/{org_id}/interactions",
            content=data.model_dump_json(exclude_none=True),
            headers={"Content-Type": "application/json"},
        )
        return InteractionLogged.model_validate_json(response.content)

    def export(self, org_id: str, kind: str) -> bytes:
        path = {"graphml": "graph.graphml", "power-map": "power-map", "svg": "power-map.svg"}[kind]
        return self._call("GET", f"/v1/organisations/{org_id}/{path}").content
