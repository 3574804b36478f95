"""Credentials: password hashes, API tokens for machines, signed access tokens for
people. Secrets are passed in; nothing here reads settings (docs/governance.md).

- Passwords are stored as argon2id hashes (argon2-cffi's defaults).
- An API token is `cdk_` plus 43 random URL-safe characters. It is shown once; only its
  sha256 is stored, and a presented token is looked up by that hash.
- An access token is a JWT signed with HS256: sub, roles, iat, exp, iss="crossdock" and
  a random jti. It holds the roles as they were at sign-in; keep the ttl short.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Role, role_named

API_TOKEN_PREFIX: Final = "cdk_"  # noqa: S105 - a prefix, not a secret
ISSUER: Final = "crossdock"
ALGORITHM: Final = "HS256"
MIN_SECRET_LENGTH: Final = 32

# Public on purpose, so never safe: `check_secret` hands it out in demo mode only and
# refuses it everywhere else.
DEMO_SECRET: Final = "crossdock-demo-secret-UNSAFE-outside-demo-mode-0000"  # noqa: S105

_CLAIMS: Final = ("sub", "roles", "iat", "exp", "iss", "jti")
_hasher = PasswordHasher()


class InvalidCredentials(CrossdockError):
    """A token that cannot be trusted: malformed, badly signed, expired or wrongly issued."""

    def __init__(self, *, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"access token refused ({reason}): {detail}")


class WeakSecret(CrossdockError):
    """A signing secret missing, too short or public, outside demo mode."""

    def __init__(self, *, mode: str, reason: str) -> None:
        self.mode = mode
        self.reason = reason
        super().__init__(
            f"signing secret refused in {mode} mode: {reason}; use at least"
            f" {MIN_SECRET_LENGTH} random characters, e.g. from secrets.token_urlsafe(48)"
        )


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a valid access token says."""

    username: str
    roles: frozenset[Role]
    issued_at: datetime
    expires_at: datetime
    token_id: str


def hash_password(password: str) -> str:
    """The argon2id hash to store for `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash. A stored value that is not an argon2
    hash matches nothing."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's; rehash on the next
    successful sign-in."""
    return _hasher.check_needs_rehash(password_hash)


def new_api_token() -> tuple[str, str]:
    """A new API token and the hash to store: (token, shown once; sha256 hex)."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, api_token_hash(token)


def api_token_hash(token: str) -> str:
    """The sha256 hex of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_access_token(
    *,
    username: str,
    roles: Collection[str],
    secret: str,
    ttl: timedelta,
    now: datetime,
) -> str:
    """A signed access token for `username` with `roles`, valid from `now` for `ttl`.

    Raises:
        ValueError: `now` has no time zone, or `ttl` is not positive.
        UnknownName: a role is not a `Role`.
    """
    if now.tzinfo is None:
        raise ValueError(f"now={now!r}: give a time zone aware datetime")
    if ttl <= timedelta(0):
        raise ValueError(f"ttl={ttl!r}: must be positive")
    claims: dict[str, Any] = {
        "sub": username,
        "roles": sorted(role_named(role).value for role in roles),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "iss": ISSUER,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(token: str, *, secret: str, now: datetime | None = None) -> AccessClaims:
    """The claims of a valid access token, checked at `now` (default: the clock).

    Raises:
        InvalidCredentials: the token is malformed, its signature does not match
            `secret`, it was not issued by Crossdock, a claim is missing or wrong, or it
            has expired; the reason says which.
    """
    at = now or datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError(f"now={now!r}: give a time zone aware datetime")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": list(_CLAIMS), "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise InvalidCredentials(
            reason="bad_signature", detail="the signature does not match"
        ) from None
    except jwt.InvalidIssuerError:
        raise InvalidCredentials(reason="wrong_issuer", detail="not issued by crossdock") from None
    except jwt.MissingRequiredClaimError as error:
        raise InvalidCredentials(reason="missing_claim", detail=str(error)) from None
    except jwt.InvalidTokenError as error:
        raise InvalidCredentials(reason="malformed", detail=str(error)) from None
    issued_at = _instant(claims, "iat")
    expires_at = _instant(claims, "exp")
    if at >= expires_at:
        raise InvalidCredentials(reason="expired", detail=f"expired at {expires_at.isoformat()}")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise InvalidCredentials(reason="malformed", detail="sub is not a username")
    return AccessClaims(
        username=claims["sub"],
        roles=_roles(claims["roles"]),
        issued_at=issued_at,
        expires_at=expires_at,
        token_id=str(claims["jti"]),
    )


def check_secret(secret: str | None, *, mode: str) -> str:
    """The secret to sign with. Outside demo mode a missing, short (< 32 characters) or
    demo secret is refused; in demo mode those become `DEMO_SECRET`.

    Raises:
        WeakSecret: naming the mode and what is wrong with the secret.
    """
    if mode == "demo":
        if secret is None or len(secret) < MIN_SECRET_LENGTH:
            return DEMO_SECRET
        return secret
    if not secret:
        raise WeakSecret(mode=mode, reason="no secret is set")
    if secret == DEMO_SECRET:
        raise WeakSecret(mode=mode, reason="it is the public demo secret")
    if len(secret) < MIN_SECRET_LENGTH:
        raise WeakSecret(mode=mode, reason=f"it is {len(secret)} characters long")
    return secret


def _instant(claims: dict[str, Any], name: str) -> datetime:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidCredentials(reason="malformed", detail=f"{name} is not a timestamp")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidCredentials(
            reason="malformed", detail=f"{name}={value} is not a date"
        ) from None


def _roles(value: object) -> frozenset[Role]:
    if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
        raise InvalidCredentials(reason="malformed", detail="roles is not a list of names")
    unknown = sorted(set(value) - {role.value for role in Role})
    if unknown:
        raise InvalidCredentials(reason="malformed", detail=f"unknown roles {unknown}")
    return frozenset(Role(role) for role in value)
