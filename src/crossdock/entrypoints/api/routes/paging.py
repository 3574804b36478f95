"""Pagination shared by the list routes: `limit`, an opaque `cursor` (the keyset of the
last row shown, base64 JSON) or an `offset`, and the page as `{"items", "next_cursor",
"count"}`."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Depends, Query

from crossdock.service_layer.listing_ports import MAX_PAGE, InvalidQuery, Key, Page, PageRequest


def encode_cursor(after: Key | None) -> str | None:
    if after is None:
        return None
    text = json.dumps(list(after), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Key | None:
    """The keyset a cursor carries; InvalidQuery on `query.cursor` if it is not one."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or not values:
        raise InvalidQuery(
            field="query.cursor", value=cursor, reason="not a cursor this API handed out"
        )
    return tuple(values)


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page.")] = 50,
    cursor: Annotated[
        str | None, Query(description="`next_cursor` of the page before (opaque).")
    ] = None,
    offset: Annotated[
        int, Query(ge=0, description="Rows to skip instead of a cursor (shifts on inserts).")
    ] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, after=decode_cursor(cursor), offset=offset)


Paging = Annotated[PageRequest, Depends(page_request)]


def page_json(page: Page) -> dict[str, Any]:
    return {
        "items": page.items,
        "next_cursor": encode_cursor(page.next_after),
        "count": len(page.items),
        **page.extra,
    }
