"""The planner workbench: server-rendered pages (Jinja2) with htmx, served by
`crossdock serve` beside the REST API. Every asset is served from this package's
`static/` folder; nothing is fetched from a CDN (docs/workbench.md)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from crossdock.entrypoints.web import copilot_pages, dashboards, exception_pages
from crossdock.entrypoints.web.pages import router
from crossdock.entrypoints.web.session import CsrfRefused, SignInNeeded

STATIC = Path(__file__).parent / "static"


def mount_workbench(app: FastAPI) -> None:
    """Add the workbench's pages and static files to `app` (which holds
    `app.state.crossdock`). Mounting twice changes nothing."""
    if getattr(app.state, "workbench", False):
        return
    app.state.workbench = True
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)
    app.include_router(dashboards.router)
    app.include_router(exception_pages.router)
    app.include_router(copilot_pages.router)
    app.add_exception_handler(SignInNeeded, _sign_in_first)
    app.add_exception_handler(CsrfRefused, _csrf_refused)


async def _sign_in_first(request: Request, error: Exception) -> Response:  # noqa: ARG001
    """To the sign-in page, then back here; htmx follows `HX-Redirect` instead."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"/login?next={quote(back if request.method == 'GET' else '/queue', safe='')}"
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _csrf_refused(request: Request, error: Exception) -> Response:
    """403, changing nothing; htmx (which swaps no error) is sent to sign in again."""
    headers = {"HX-Redirect": "/login"} if request.headers.get("HX-Request") else None
    return PlainTextResponse(str(error), status_code=403, headers=headers)


__all__ = ["mount_workbench"]
