"""The documentation pages with their own assets: Redoc at `/`, Swagger UI at `/docs`.

FastAPI's default pages load their scripts, styles, fonts and favicon from CDNs, so a
self-hosted instance without internet access (or a careful one) shows a blank page.
These pages load everything from `/docs/assets/`: swagger-ui-dist's bundle and style,
Redoc's standalone bundle and a favicon, as shipped by the `fastapi-offline` package
(which tracks their releases). Redoc's Google Fonts are left out: its theme falls back
to the browser's sans-serif. Swagger UI's online validator badge is off. A
Content-Security-Policy keeps the pages on this origin (and the documented servers, for
"Try it out"): Redoc's menu footer links a Redocly logo from a CDN, which is not fetched.

Example:
    >>> install_docs(app)  # app built with docs_url=None, redoc_url=None
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

REDOC_PATH = "/"
SWAGGER_PATH = "/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
ASSETS_PATH = "/docs/assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))


def content_security_policy(servers: list[str]) -> str:
    """Everything from this origin (inline scripts and styles included, as the pages and
    bundles need), requests also to the documented `servers`; nothing from anywhere else."""
    connect = " ".join(["'self'", *servers])
    return (
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
        f"connect-src {connect}; frame-ancestors 'self'"
    )


def install_docs(app: FastAPI) -> None:
    """Add the two pages, Swagger UI's OAuth2 redirect page and the assets they load."""
    openapi_url = app.openapi_url or "/openapi.json"
    policy = content_security_policy([str(server["url"]) for server in app.servers or []])
    headers = {"content-security-policy": policy}
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = f"{root}{ASSETS_PATH}"
        page = get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_PATH}",
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers.update(headers)
        return page

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(headers)
        return page

    app.add_route(SWAGGER_PATH, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_PATH, oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_PATH, redoc, include_in_schema=False)
