"""`crossdock ask "..."`: one question to the copilot, answered for USER's role with its
sources; `--json` for scripts. Uses the configured model (CROSSDOCK_COPILOT_LLM_URL)
unless `--no-model`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markdown import Markdown

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import AsUser, JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.identity import principal_named


@one_line_errors
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    user: AsUser,
    history: Annotated[
        list[str] | None,
        typer.Option(
            "--after",
            help="An earlier question of the conversation (repeatable), for follow-ups "
            "like 'draft a reply to that customer'.",
        ),
    ] = None,
    no_model: Annotated[
        bool,
        typer.Option(
            "--no-model",
            help="Answer with the grounded answerer even when a model is configured.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Ask the copilot about orders, POs, suppliers, stock, recommendations, KPIs or the
    procedures and agreements ingested with `crossdock knowledge ingest`."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    actor = principal_named(crossdock.governance, user)
    with render.errors.status("reading records and documents"):
        answer = crossdock.ask_copilot(
            question,
            actor=actor,
            now=datetime.now(UTC),
            history=history or (),
            use_model=not no_model,
        )
    if as_json:
        render.emit_json(answer.to_json())
        return
    render.console.print(Markdown(answer.text))
    if answer.citations:
        render.console.print()
        render.console.print("Sources", style="bold")
        for number, citation in enumerate(answer.citations, start=1):
            render.console.print(f"[{number}] {citation.label}  ({citation.ref})", markup=False)
    for note in answer.notes:
        render.console.print(f"note: {note}", style="dim", markup=False)
    render.console.print(
        f"answered by {answer.backend}, prompts {answer.prompt_version}", style="dim"
    )
