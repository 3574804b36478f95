"""Who is using the workbench: the signed access token of `/api/v1/auth/token`, kept in
an HttpOnly, SameSite=Strict cookie, and a per-session CSRF token on every form.

The CSRF token is an HMAC of the session's access token under the signing secret, so it
changes with every sign-in and needs no server-side state. A POST must carry it (form
field `csrf_token` or header `X-CSRF-Token`), and a POST whose Origin names another host
is refused before that: SameSite keeps the cookie off other sites' requests, the token
covers browsers and proxies that do not honour it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response

from crossdock.bootstrap import Crossdock
from crossdock.domain.errors import CrossdockError
from crossdock.entrypoints.api.auth import Wired
from crossdock.governance.access import Principal
from crossdock.governance.credentials import InvalidCredentials
from crossdock.service_layer.identity import SignInRefused, principal_for_access_token, sign_in

COOKIE = "crossdock_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInNeeded(CrossdockError):
    """No valid session: the page sends the person to sign in."""


class CsrfRefused(CrossdockError):
    """A form posted without this session's token, or from another site."""


def session_token(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def current_person(request: Request, crossdock: Wired) -> Principal:
    """The person the session cookie names, as they are now (roles re-read)."""
    token = session_token(request)
    if token is None:
        raise SignInNeeded("sign in first")
    try:
        return principal_for_access_token(
            crossdock.governance, token, secret=crossdock.signing_secret(), now=datetime.now(UTC)
        )
    except (SignInRefused, InvalidCredentials) as error:
        raise SignInNeeded(str(error)) from None


Person = Annotated[Principal, Depends(current_person)]


def csrf_token(crossdock: Crossdock, token: str) -> str:
    key = crossdock.signing_secret().encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request, crossdock: Wired) -> None:
    """Refuse a POST from another origin, or without this session's CSRF token."""
    _check_origin(request)
    token = session_token(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if (
        token is None
        or given is None
        or not hmac.compare_digest(given, csrf_token(crossdock, token))
    ):
        raise CsrfRefused(
            "this form has expired or did not come from the workbench: reload the page"
        )


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRefused(f"a form posted from {origin} is not accepted here")


Csrf = Depends(check_csrf)


def open_session(crossdock: Crossdock, *, username: str, password: str) -> tuple[str, timedelta]:
    """A signed access token for the person, as the API's token endpoint gives it.

    Raises:
        SignInRefused: wrong user name or password.
    """
    ttl = timedelta(minutes=crossdock.settings.access_token_minutes)
    token = sign_in(
        crossdock.governance,
        username=username,
        password=password,
        secret=crossdock.signing_secret(),
        ttl=ttl,
        now=datetime.now(UTC),
    )
    return token, ttl


def keep_session(response: Response, request: Request, token: str, ttl: timedelta) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def check_login_origin(request: Request) -> None:
    """The sign-in form has no session yet: only the Origin check applies."""
    _check_origin(request)
