"""The planner workbench: server-rendered pages (Jinja2) with htmx, served by
`crossdock serve` beside the REST API. Every asset is served from this package's
`static/` folder; nothing is fetched from a CDN (docs/workbench.md).

Every HTML page and fragment goes out with a Content-Security-Policy that allows only
this origin's scripts (no inline script, no eval), so text quoted from a document or a
record cannot run even if it slipped past escaping; see `SecurityHeaders`."""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crossdock.entrypoints.web import copilot_pages, dashboards, exception_pages
from crossdock.entrypoints.web.pages import router
from crossdock.entrypoints.web.session import CsrfRefused, SignInNeeded

STATIC = Path(__file__).parent / "static"

# Scripts only from /static (htmx.min.js, workbench.js): no inline script, no inline
# event handler, no eval (base.html turns htmx's eval off, workbench.js replaces the
# `hx-on` handlers). Styles only from /static/workbench.css too: no `style=` attribute
# and no <style> element in any template or chart (SVG draws with presentation
# attributes such as fill= and stroke=, which CSP does not count as inline style).
# data: images fetch nothing (so cannot carry data out); nothing may frame a page
# (clickjacking on the approve buttons); forms post only back here.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def mount_workbench(app: FastAPI) -> None:
    """Add the workbench's pages and static files to `app` (which holds
    `app.state.crossdock`). Mounting twice changes nothing."""
    if getattr(app.state, "workbench", False):
        return
    app.state.workbench = True
    # FastAPI's own API docs load Swagger UI from a CDN with an inline script: no CSP there
    docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.add_middleware(SecurityHeaders, exempt=frozenset(str(path) for path in docs))
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


class SecurityHeaders:
    """ASGI middleware: `X-Content-Type-Options: nosniff` on every response (JSON and
    /metrics included), and `PAGE_HEADERS` (CSP, referrer, framing) on every HTML
    response, i.e. the workbench's pages and htmx fragments, except the `exempt` paths.
    A header a route set itself is kept."""

    def __init__(self, app: ASGIApp, *, exempt: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_exempt = scope["path"] in self.exempt

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if not is_exempt and headers.get("content-type", "").startswith("text/html"):
                    for name, value in PAGE_HEADERS.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeaders", "mount_workbench"]
