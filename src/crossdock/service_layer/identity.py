"""People and agent accounts: adding them, machine tokens, and signing in.

Passwords are kept only as argon2 hashes, API tokens only as sha256 hashes; a token is
shown once, when it is made. Signing in with a password gives a signed access token
that names the person and their roles for a limited time.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta

from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Principal, role_named
from crossdock.governance.credentials import (
    api_token_hash,
    hash_password,
    issue_access_token,
    new_api_token,
    read_access_token,
    verify_password,
)
from crossdock.service_layer.governance_ports import GovernanceStore

MIN_PASSWORD_LENGTH = 10


class SignInRefused(CrossdockError):
    """Wrong user name, password or token. Says no more, on purpose."""


class UnknownUser(CrossdockError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"no active user or agent account named {username!r}")


def add_person(
    store: GovernanceStore,
    *,
    username: str,
    roles: Collection[str],
    password: str,
    now: datetime,
    display_name: str | None = None,
    sites: Collection[str] | None = None,
) -> Principal:
    """Create or replace a person with `roles`, acting for `sites` (None: every site)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"user {username}: password too short ({len(password)} characters; "
            f"at least {MIN_PASSWORD_LENGTH})"
        )
    principal = Principal(
        username=username,
        kind="person",
        roles=frozenset(role_named(role) for role in roles),
        sites=None if sites is None else frozenset(sites),
    )
    store.save_user(
        {
            "username": username,
            "display_name": display_name or username,
            "kind": "person",
            "roles": json.dumps(sorted(role.value for role in principal.roles)),
            "sites": None if sites is None else json.dumps(sorted(sites)),
            "permissions": None,
            "password_hash": hash_password(password),
            "active": True,
            "created_at": now,
        }
    )
    return principal


def add_agent(
    store: GovernanceStore,
    *,
    username: str,
    actions: Collection[str],
    data: Collection[str],
    now: datetime,
    display_name: str | None = None,
    sites: Collection[str] | None = None,
) -> Principal:
    """Create or replace an agent service account allowed exactly `actions` on `data`."""
    principal = Principal(
        username=username,
        kind="agent",
        sites=None if sites is None else frozenset(sites),
        agent_actions=frozenset(actions),
        agent_data=frozenset(data),
    )
    store.save_user(
        {
            "username": username,
            "display_name": display_name or username,
            "kind": "agent",
            "roles": "[]",
            "sites": None if sites is None else json.dumps(sorted(sites)),
            "permissions": json.dumps({"actions": sorted(actions), "data": sorted(data)}),
            "password_hash": None,
            "active": True,
            "created_at": now,
        }
    )
    return principal


def principal_named(store: GovernanceStore, username: str) -> Principal:
    """The active account `username`, or UnknownUser."""
    found = store.principal(username)
    if found is None:
        raise UnknownUser(username)
    return found


def issue_api_token(store: GovernanceStore, *, username: str, name: str, now: datetime) -> str:
    """A new machine token for `username`; only its hash is kept, so show it now."""
    principal_named(store, username)
    token, digest = new_api_token()
    store.save_api_token(username=username, name=name, token_hash=digest, at=now)
    return token


def sign_in(
    store: GovernanceStore,
    *,
    username: str,
    password: str,
    secret: str,
    ttl: timedelta,
    now: datetime,
) -> str:
    """A signed access token for a person whose password matches (OAuth2 password flow)."""
    stored = store.password_hash(username)
    principal = store.principal(username)
    if stored is None or principal is None or not verify_password(stored, password):
        raise SignInRefused("wrong user name or password")
    return issue_access_token(
        username=username,
        roles=[role.value for role in principal.roles],
        secret=secret,
        ttl=ttl,
        now=now,
    )


def principal_for_access_token(
    store: GovernanceStore, token: str, *, secret: str, now: datetime
) -> Principal:
    """The person a valid access token names, as they are now (roles re-read, so a
    removed role or a deactivated account takes effect before the token expires)."""
    claims = read_access_token(token, secret=secret, now=now)
    principal = store.principal(claims.username)
    if principal is None:
        raise SignInRefused("the account behind this token is no longer active")
    return principal


def principal_for_api_token(store: GovernanceStore, token: str, *, now: datetime) -> Principal:
    """The account an unrevoked, unexpired API token belongs to."""
    username = store.token_user(api_token_hash(token), at=now)
    principal = None if username is None else store.principal(username)
    if principal is None:
        raise SignInRefused("unknown, revoked or expired API token")
    return principal
