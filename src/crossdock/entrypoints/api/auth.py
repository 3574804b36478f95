"""Who is calling: a person's signed access token (OAuth2 password flow) or a machine's
API token, both as `Authorization: Bearer ...`. API tokens start with `cdk_`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from crossdock.bootstrap import Crossdock
from crossdock.governance.access import Principal
from crossdock.governance.credentials import API_TOKEN_PREFIX, InvalidCredentials
from crossdock.service_layer.identity import (
    SignInRefused,
    principal_for_access_token,
    principal_for_api_token,
)

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


def wired(request: Request) -> Crossdock:
    crossdock: Crossdock = request.app.state.crossdock
    return crossdock


Wired = Annotated[Crossdock, Depends(wired)]


def current_principal(crossdock: Wired, token: Annotated[str, Depends(oauth2)]) -> Principal:
    now = datetime.now(UTC)
    try:
        if token.startswith(API_TOKEN_PREFIX):
            return principal_for_api_token(crossdock.governance, token, now=now)
        return principal_for_access_token(
            crossdock.governance, token, secret=crossdock.signing_secret(), now=now
        )
    except (SignInRefused, InvalidCredentials) as error:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=str(error),
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


Caller = Annotated[Principal, Depends(current_principal)]
