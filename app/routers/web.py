"""The web page at ``/`` and the API docs at ``/docs``, both served from local files.

The page is plain HTML, CSS and JavaScript from ``app/static`` (package data, no build
step, no CDN); it talks to the API with the API key the user signs in with. Swagger UI's
assets come from the ``swagger-ui-bundle-v2`` package and are served under
``/vendor/swagger-ui``, so ``/docs`` works without a network.
"""

from __future__ import annotations

import importlib
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(str(files("app") / "static"))
SWAGGER_DIR = Path(str(importlib.import_module("swagger_ui_bundle").swagger_ui_path))
STATIC_URL = "/static"
SWAGGER_URL = "/vendor/swagger-ui"


@router.get("/", name="get_page")
def index() -> FileResponse:
    """The Stakemap web page: sign in with an API key, pick an account, see its power map."""
    return FileResponse(
        STATIC_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
    )


@router.get("/docs", name="get_docs")
def docs(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI schema, with every asset served by this app."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title} \u2014 API docs",
        swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_URL}/favicon.svg",
        swagger_ui_parameters={"tryItOutEnabled": True, "validatorUrl": None},
    )


def install(app: FastAPI) -> None:
    """Add the page, the docs and their static files to ``app`` (whose ``docs_url`` and
    ``redoc_url`` must be None: ReDoc would load its script from a CDN)."""
    app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(SWAGGER_URL, StaticFiles(directory=SWAGGER_DIR), name="swagger-ui")
