"""The copilot's chat panel in the workbench (`/copilot`).

A question is posted with the conversation's earlier questions (hidden fields, so a
follow-up like "draft a reply to that customer" knows which order), answered by
`Crossdock.ask_copilot` for the signed-in person, and the turn is appended in place by
htmx (or the whole page comes back without JavaScript). The answer's Markdown is
rendered with raw HTML, images and links disabled, so nothing in a document or record
can inject markup or make the browser fetch anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from crossdock.copilot.model import Answer
from crossdock.domain.errors import CrossdockError
from crossdock.entrypoints.api.auth import Wired
from crossdock.entrypoints.web.pages import TEMPLATES, page_response
from crossdock.entrypoints.web.session import Csrf, Person

HISTORY_KEPT: Final = 5
# raw HTML off, and no images or links: an answer quotes documents, and a planted
# image URL would be fetched by the reader's browser without a click (a way out for data)
_MARKDOWN: Final = MarkdownIt("commonmark", {"html": False}).disable(["image", "link", "autolink"])

router = APIRouter(include_in_schema=False)


@router.get("/copilot")
def copilot_page(request: Request, person: Person) -> HTMLResponse:
    return page_response(request, "copilot.html", person, {"turns": []})


@router.post("/copilot/ask", dependencies=[Csrf])
def copilot_ask(
    request: Request,
    crossdock: Wired,
    person: Person,
    question: Annotated[str, Form()],
    history: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    earlier = (history or [])[-HISTORY_KEPT:]
    try:
        answer = crossdock.ask_copilot(
            question, actor=person, now=datetime.now(UTC), history=earlier
        )
        turn: dict[str, Any] = {"question": question, **_shown(answer)}
        status = 200
    except CrossdockError as refused:
        turn = {"question": question, "error": str(refused)}
        status = 400
    if request.headers.get("HX-Request"):
        return TEMPLATES.TemplateResponse(
            request, "_copilot_turn.html", {"turn": turn}, status_code=status
        )
    # without JavaScript the page comes back whole: the earlier questions as turns (each
    # with its hidden field) with only the newest answered
    context = {"turns": [*({"question": q, "earlier": True} for q in earlier), turn]}
    return page_response(request, "copilot.html", person, context, status_code=status)


def _shown(answer: Answer) -> dict[str, Any]:
    """What a turn shows: the answer rendered, its numbered sources, notes, drafts filed."""
    passages = {p.passage_id: p for p in answer.passages}
    sources = []
    for number, citation in enumerate(answer.citations, start=1):
        passage = passages.get(citation.ref)
        link = None
        if citation.ref.startswith("recommendations/"):
            link = "/" + citation.ref
        sources.append(
            {
                "number": number,
                "kind": citation.kind,
                "ref": citation.ref,
                "label": citation.label,
                "link": link,
                "text": None if passage is None else passage.text,
            }
        )
    return {
        "html": Markup(_MARKDOWN.render(answer.text)),  # noqa: S704 (raw HTML is disabled)
        "sources": sources,
        "notes": list(answer.notes),
        "refused": answer.refused,
        "backend": answer.backend,
        "prompt_version": answer.prompt_version,
        "proposals": list(answer.proposals),
    }
