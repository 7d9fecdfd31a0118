"""OpenAPI ``operationId``: camelCase verb + resource, from the route's name.

One function, passed to FastAPI as ``generate_unique_id_function``, names every operation.
A route's name is its function's name unless the decorator gives ``name=``; it must be
``<verb>_<resource>`` in snake case (``create_person``, ``get_entry_paths``,
``export_influence_csv``) with a verb of :data:`VERBS`. Anything else fails when the route
is registered, so a new route cannot fall back to FastAPI's default
(``get_organisation_v1_organisations__org_id__get``) unnoticed.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

__all__ = ["VERBS", "camel_case", "operation_id"]

#: The verbs an operation may start with (`put`: create or replace a resource whose id the
#: caller names, as `PUT …/committee/{person_id}`; `log`: record something that happened,
#: as `POST …/interactions`).
VERBS = frozenset(
    {
        "check",
        "create",
        "delete",
        "erase",
        "export",
        "get",
        "import",
        "list",
        "log",
        "put",
        "revoke",
        "update",
    }
)

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def camel_case(name: str) -> str:
    """``snake_case`` → ``camelCase``.

    >>> camel_case("get_entry_paths")
    'getEntryPaths'
    >>> camel_case("export_influence_csv")
    'exportInfluenceCsv'
    """
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def operation_id(route: APIRoute) -> str:
    """The ``operationId`` of ``route``: its name (verb + resource) in camelCase.

    >>> from fastapi import FastAPI
    >>> app = FastAPI(generate_unique_id_function=operation_id)
    >>> @app.get("/v1/organisations/{org_id}")
    ... def get_organisation(org_id: str) -> str:
    ...     return org_id
    >>> app.openapi()["paths"]["/v1/organisations/{org_id}"]["get"]["operationId"]
    'getOrganisation'
    >>> @app.get("/v1/thing")
    ... def thing() -> None: ...
    Traceback (most recent call last):
    ...
    ValueError: route GET /v1/thing is named 'thing': name it <verb>_<resource> ...
    """
    name = route.name
    if not _SNAKE.match(name) or name.split("_", 1)[0] not in VERBS:
        methods = ",".join(sorted(route.methods or ()))
        raise ValueError(
            f"route {methods} {route.path} is named {name!r}: name it <verb>_<resource> "
            f"in snake case (verbs: {', '.join(sorted(VERBS))}), or pass name= to the decorator"
        )
    return camel_case(name)
