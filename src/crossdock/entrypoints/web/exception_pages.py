"""Exceptions in the workbench: what stops data reaching the plan or a decision reaching
the ERP. The queue's first page shows the newest few above its ranked rows
(`exceptions_queue.newest_exceptions`); `/exceptions` lists them all, newest first, by
kind and page.

Exceptions hold no money of their own to rank by: a dead letter, a quarantined row or a
failing job is worth what the plans it starves are worth, which nothing measures yet. So
they are listed by time, and a recommendation whose ERP write failed is also ranked in
the queue by its money at risk (its status is `failed`).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crossdock.domain.errors import CrossdockError
from crossdock.entrypoints.api.auth import Wired
from crossdock.entrypoints.api.routes.paging import decode_cursor, encode_cursor
from crossdock.entrypoints.web.pages import page_response
from crossdock.entrypoints.web.session import Person
from crossdock.service_layer.exception_ports import EXCEPTION_KINDS
from crossdock.service_layer.exceptions_queue import exception_page
from crossdock.service_layer.listing_ports import PageRequest

PAGE_SIZE: Final = 50

router = APIRouter(include_in_schema=False)


@router.get("/exceptions")
def exceptions(
    request: Request,
    crossdock: Wired,
    person: Person,
    kind: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    chosen = kind or None
    context: dict[str, Any] = {"kinds": EXCEPTION_KINDS, "kind": chosen, "first_page": bool(cursor)}
    try:
        page = exception_page(
            crossdock.exceptions,
            actor=person,
            kind=chosen,
            page=PageRequest(PAGE_SIZE, after=decode_cursor(cursor)),
        )
    except CrossdockError as refused:
        context |= {"items": [], "next_cursor": None, "error": str(refused)}
        return page_response(request, "exceptions.html", person, context, status_code=400)
    context |= {"items": page.items, "next_cursor": encode_cursor(page.next_after)}
    return page_response(request, "exceptions.html", person, context)
