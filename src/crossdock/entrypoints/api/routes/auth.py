"""Signing in: the OAuth2 password flow gives a person a signed access token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.service_layer.identity import SignInRefused, sign_in

router = APIRouter(tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class Me(BaseModel):
    username: str
    kind: str
    roles: list[str]
    sites: list[str] | None


@router.post("/auth/token")
def token(crossdock: Wired, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    ttl = timedelta(minutes=crossdock.settings.access_token_minutes)
    try:
        signed = sign_in(
            crossdock.governance,
            username=form.username,
            password=form.password,
            secret=crossdock.signing_secret(),
            ttl=ttl,
            now=datetime.now(UTC),
        )
    except SignInRefused as error:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=str(error),
            headers={"WWW-Authenticate": "Bearer"},
        ) from None
    return Token(access_token=signed, expires_in=int(ttl.total_seconds()))


@router.get("/auth/me")
def me(caller: Caller) -> Me:
    return Me(
        username=caller.username,
        kind=caller.kind,
        roles=sorted(role.value for role in caller.roles),
        sites=sorted(caller.sites) if caller.sites is not None else None,
    )
