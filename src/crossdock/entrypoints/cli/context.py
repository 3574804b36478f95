"""What every command shares: the store the global options chose, `--json`, and how
expected failures end a command (one line on stderr, exit code 1)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from crossdock.config import Settings, get_settings
from crossdock.domain.errors import CrossdockError
from crossdock.entrypoints.cli import render

if TYPE_CHECKING:
    from crossdock.bootstrap import Crossdock

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="CROSSDOCK_USER", help="The user acting (default: $CROSSDOCK_USER)."
    ),
]


class State:
    """Global options, set by the main callback before any command runs."""

    database_url: str | None = None


def open_crossdock() -> Crossdock:
    """Crossdock wired for the environment, on `--database-url` if it was given."""
    # imported here: the stores and migrations are not needed by `--help` or `policy`
    from crossdock.bootstrap import bootstrap  # noqa: PLC0415

    settings = get_settings()
    if State.database_url:
        settings = Settings(database_url=State.database_url)
    return bootstrap(settings)


def one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into `error: <reason>` on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (CrossdockError, OSError, ValueError, KeyError, SQLAlchemyError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            render.emit_error(f"error: {reason}")
            raise typer.Exit(code=1) from None

    return wrapper
