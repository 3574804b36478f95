"""Password hashes, API tokens, signed access tokens and the signing secret."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Role, UnknownName
from crossdock.governance.credentials import (
    DEMO_SECRET,
    InvalidCredentials,
    WeakSecret,
    api_token_hash,
    check_secret,
    hash_password,
    issue_access_token,
    needs_rehash,
    new_api_token,
    read_access_token,
    verify_password,
)

SECRET = "s" * 32 + "-test-signing-secret"
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
LATER = int((NOW + HOUR).timestamp())


def token(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "username": "ana",
        "roles": ["buyer", "planner"],
        "secret": SECRET,
        "ttl": HOUR,
        "now": NOW,
    }
    arguments.update(overrides)
    return issue_access_token(**arguments)  # type: ignore[arg-type]


# -- passwords ------------------------------------------------------------------------------


def test_a_password_verifies_against_its_hash() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery staple") is True
    assert needs_rehash(stored) is False


def test_a_wrong_password_does_not_verify() -> None:
    stored = hash_password("correct horse battery staple")
    assert verify_password(stored, "Correct horse battery staple") is False


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("pw-1234567890") != hash_password("pw-1234567890")


def test_a_stored_value_that_is_not_a_hash_matches_nothing() -> None:
    assert verify_password("plain-text-password", "plain-text-password") is False


# -- API tokens ---------------------------------------------------------------------------


def test_new_api_token_is_prefixed_and_stored_as_its_sha256() -> None:
    shown, stored = new_api_token()
    assert shown.startswith("cdk_")
    assert len(shown) == 4 + 43
    assert stored == hashlib.sha256(shown.encode()).hexdigest()
    assert stored == api_token_hash(shown)
    assert shown not in stored


def test_api_token_hash_is_stable_and_tokens_differ() -> None:
    assert api_token_hash("cdk_abc") == api_token_hash("cdk_abc")
    assert api_token_hash("cdk_abc") != api_token_hash("cdk_abd")
    assert new_api_token()[0] != new_api_token()[0]


# -- access tokens --------------------------------------------------------------------------


def test_an_access_token_reads_back_its_claims() -> None:
    claims = read_access_token(token(), secret=SECRET, now=NOW + timedelta(minutes=59))
    assert claims.username == "ana"
    assert claims.roles == {Role.BUYER, Role.PLANNER}
    assert claims.issued_at == NOW
    assert claims.expires_at == NOW + HOUR
    assert len(claims.token_id) >= 16


def test_access_token_carries_the_standard_claims() -> None:
    raw = jwt.decode(token(), SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert set(raw) == {"sub", "roles", "iat", "exp", "iss", "jti"}
    assert raw["iss"] == "crossdock"
    assert raw["roles"] == ["buyer", "planner"]
    assert jwt.get_unverified_header(token())["alg"] == "HS256"


def test_each_access_token_has_its_own_id() -> None:
    first = read_access_token(token(), secret=SECRET, now=NOW)
    second = read_access_token(token(), secret=SECRET, now=NOW)
    assert first.token_id != second.token_id


def test_an_expired_token_is_refused_saying_when_it_expired() -> None:
    with pytest.raises(InvalidCredentials) as refused:
        read_access_token(token(), secret=SECRET, now=NOW + HOUR)
    assert refused.value.reason == "expired"
    assert str(refused.value) == (
        "access token refused (expired): expired at 2025-03-01T10:00:00+00:00"
    )
    assert isinstance(refused.value, CrossdockError)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidCredentials, match=r"\(bad_signature\)"):
        read_access_token(token(), secret="x" * 40, now=NOW)


def test_a_tampered_token_is_refused() -> None:
    header, payload, signature = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidCredentials) as refused:
        read_access_token(f"{header}.{forged}.{signature}", secret=SECRET, now=NOW)
    assert refused.value.reason == "bad_signature"


def test_garbage_is_refused_as_malformed() -> None:
    with pytest.raises(InvalidCredentials, match=r"\(malformed\)"):
        read_access_token("not-a-token", secret=SECRET, now=NOW)


def test_a_token_with_alg_none_is_refused() -> None:
    unsigned = jwt.encode(
        {"sub": "ana", "roles": ["admin"], "iat": 1, "exp": LATER, "iss": "crossdock", "jti": "x"},
        key=None,
        algorithm="none",
    )
    with pytest.raises(InvalidCredentials, match=r"\(malformed\)"):
        read_access_token(unsigned, secret=SECRET, now=NOW)


def test_a_token_from_another_issuer_or_missing_claims_is_refused() -> None:
    base = {"sub": "ana", "roles": [], "iat": 1, "exp": LATER, "jti": "x"}
    foreign = jwt.encode({**base, "iss": "elsewhere"}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials, match=r"\(wrong_issuer\)"):
        read_access_token(foreign, secret=SECRET, now=NOW)
    no_jti = jwt.encode(
        {k: v for k, v in base.items() if k != "jti"} | {"iss": "crossdock"},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidCredentials, match=r"\(missing_claim\).*jti"):
        read_access_token(no_jti, secret=SECRET, now=NOW)


def test_a_token_naming_an_unknown_role_is_refused() -> None:
    odd = jwt.encode(
        {"sub": "ana", "roles": ["root"], "iat": 1, "exp": LATER, "iss": "crossdock", "jti": "x"},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidCredentials, match=r"unknown roles \['root'\]"):
        read_access_token(odd, secret=SECRET, now=NOW)


def test_a_token_with_an_impossible_date_is_refused() -> None:
    odd = jwt.encode(
        {"sub": "ana", "roles": [], "iat": 1, "exp": 2**40, "iss": "crossdock", "jti": "x"},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidCredentials, match=r"\(malformed\): exp=1099511627776 is not a date"):
        read_access_token(odd, secret=SECRET, now=NOW)


def test_issuing_checks_roles_time_zone_and_ttl() -> None:
    with pytest.raises(UnknownName, match="unknown role 'root'"):
        token(roles=["root"])
    with pytest.raises(ValueError, match="time zone aware"):
        token(now=datetime(2025, 3, 1, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="must be positive"):
        token(ttl=timedelta(0))


# -- the signing secret ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "no secret is set"),
        ("", "no secret is set"),
        ("short-secret", "it is 12 characters long"),
        (DEMO_SECRET, "it is the public demo secret"),
    ],
)
def test_check_secret_refuses_weak_secrets_outside_demo(secret: str | None, reason: str) -> None:
    with pytest.raises(WeakSecret) as refused:
        check_secret(secret, mode="production")
    assert refused.value.reason == reason
    assert str(refused.value).startswith(f"signing secret refused in production mode: {reason}")


def test_check_secret_returns_a_strong_secret() -> None:
    assert check_secret(SECRET, mode="production") == SECRET
    assert check_secret(SECRET, mode="demo") == SECRET


@pytest.mark.parametrize("secret", [None, "", "short-secret"])
def test_demo_mode_falls_back_to_the_demo_secret(secret: str | None) -> None:
    assert check_secret(secret, mode="demo") == DEMO_SECRET
    assert len(DEMO_SECRET) >= 32
    assert "UNSAFE" in DEMO_SECRET
