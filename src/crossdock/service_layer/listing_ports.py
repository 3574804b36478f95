"""What list reads share: a page request (how many, and where to start), a page of rows
with where the next one starts, the error for a query that names a bad value, and the
reads behind the paginated recommendation list and audit ledger.

Pages are keyset pages: the next page starts after the sort key of the last row shown
(`after`), so rows inserted while someone pages through never push a row onto a second
page or off every page; an `offset` is there for jumping to a page number, with the
usual caveat that inserts shift it. The REST API turns `after` into an opaque cursor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from crossdock.domain.errors import CrossdockError

MAX_PAGE = 500

Key = tuple[Any, ...]


class InvalidQuery(CrossdockError):
    """A query parameter the service cannot use; `field` names it as the API spells it
    (`query.status`), so the caller knows what to change."""

    def __init__(self, *, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {value!r})")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """How many rows, and where to start: after a keyset `after`, or `offset` rows in."""

    limit: int = 50
    after: Key | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidQuery(
                field="query.limit", value=self.limit, reason=f"must be 1 to {MAX_PAGE}"
            )
        if self.offset < 0:
            raise InvalidQuery(field="query.offset", value=self.offset, reason="must be 0 or more")
        if self.after is not None and self.offset:
            raise InvalidQuery(
                field="query.offset",
                value=self.offset,
                reason="give a cursor or an offset, not both",
            )


@dataclass(frozen=True, slots=True)
class Page:
    """Rows of one page and the keyset the next page starts after (None: last page)."""

    items: list[dict[str, Any]]
    next_after: Key | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def checked_key(after: Key | None, *kinds: type | tuple[type, ...]) -> Key | None:
    """`after` if it has one value of each of `kinds` (bool is not an int), else
    InvalidQuery on `query.cursor`: a cursor is only ever one this API handed out."""
    if after is None:
        return None
    if len(after) != len(kinds) or any(
        isinstance(value, bool) or not isinstance(value, kind)
        for value, kind in zip(after, kinds, strict=False)
    ):
        raise InvalidQuery(
            field="query.cursor", value=list(after), reason="not a cursor this list handed out"
        )
    return after


@dataclass(frozen=True, slots=True)
class RecommendationFilter:
    """Which recommendations a list shows. `sites`: the caller's sites (None: every
    site); `site` matches either end (to_code or from_code); `supplier` the from_code of
    buys and expedites; `customer_tier` the tier in the drivers."""

    status: str | None = None
    kind: str | None = None
    agent: str | None = None
    site: str | None = None
    supplier: str | None = None
    customer_tier: str | None = None
    plan_run_id: int | None = None
    sites: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    recommendation_id: int | None = None
    actor: str | None = None
    event: str | None = None
    since: datetime | None = None


class RecommendationReads(Protocol):
    def recommendation_page(
        self, *, where: RecommendationFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        """Stored recommendation rows, most savings first then by id (as
        `recommendation_rows`), and the keyset of the last row when more follow."""
        ...


class LedgerReads(Protocol):
    def ledger_page(
        self, *, where: LedgerFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        """Audit entries newest first (by seq), and the seq of the last when more follow."""
        ...


def page_rows(
    rows: Sequence[dict[str, Any]], page: PageRequest, key: Any
) -> tuple[list[dict[str, Any]], Key | None]:
    """The first `page.limit` of `rows` (read one beyond the limit) and the key of the
    last shown when there were more."""
    shown = list(rows[: page.limit])
    more = len(rows) > page.limit
    return shown, (key(shown[-1]) if more and shown else None)
