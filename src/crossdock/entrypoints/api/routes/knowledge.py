"""The copilot's knowledge base: upload documents (multipart, needs import_data) and
list the documents the caller may read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.governance.access import Activity, authorize
from crossdock.service_layer.knowledge import API_SOURCE, document_list, ingest_documents

router = APIRouter(tags=["knowledge"])

MAX_DOCUMENT_BYTES: Final = 20 * 1024 * 1024  # an SOP or contract, not a scanned archive
PROBLEM_JSON: Final = "application/problem+json"
Field = Annotated[str | None, Form()]


@router.post("/knowledge/documents")
async def upload_documents(
    crossdock: Wired,
    caller: Caller,
    files: Annotated[list[UploadFile], File(description="One or more documents.")],
    doc_type: Field = None,
    site: Field = None,
    supplier: Field = None,
    customer: Field = None,
    key: Field = None,
    title: Field = None,
    effective_from: Field = None,
    effective_to: Field = None,
    audience: Annotated[str | None, Form(description="Roles, comma-separated.")] = None,
) -> Any:
    """Store each file as a new version of its document (or report it unchanged or
    failed, with the reason). 200 with the report when anything was stored or
    unchanged; 422 with the same report when every file failed."""
    authorize(caller, Activity.IMPORT_DATA)  # before reading any upload
    given = {
        "doc_type": doc_type,
        "site": site,
        "supplier": supplier,
        "customer": customer,
        "key": key,
        "title": title,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "audience": audience,
    }
    uploads: list[tuple[str, bytes]] = []
    too_large: list[dict[str, str]] = []
    for upload in files:
        name = upload.filename or "upload"
        data = await upload.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            too_large.append(
                {"name": name, "reason": f"larger than {MAX_DOCUMENT_BYTES // 2**20} MB"}
            )
        else:
            uploads.append((name, data))
    report = ingest_documents(
        crossdock.knowledge,
        uploads,
        actor=caller,
        now=datetime.now(UTC),
        overrides={k: v for k, v in given.items() if v},
        source=API_SOURCE,
    ).to_json()
    report["failed"] += too_large
    if report["failed"] and not (report["accepted"] or report["unchanged"]):
        problem = {
            "type": "about:blank",
            "title": "DocumentsRejected",
            "status": 422,
            "detail": "; ".join(f"{f['name']}: {f['reason']}" for f in report["failed"]),
            **report,
        }
        return JSONResponse(problem, status_code=422, media_type=PROBLEM_JSON)
    return report


@router.get("/knowledge/documents")
def documents(crossdock: Wired, caller: Caller) -> dict[str, Any]:
    """The documents the caller may read, by key."""
    return {"documents": document_list(crossdock.knowledge, caller)}
