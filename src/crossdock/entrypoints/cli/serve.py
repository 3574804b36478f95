"""`crossdock serve`: the REST API (uvicorn) with a worker embedded in the same process,
so events posted to it reach the agents without a second command. `--no-worker` serves
the API alone, for deployments that run `crossdock worker` processes of their own."""

from __future__ import annotations

import signal
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from crossdock.entrypoints import logs
from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import one_line_errors, open_crossdock
from crossdock.entrypoints.running import EmbeddedWorker, LoopOptions
from crossdock.service_layer.demo_governance import DEMO_PASSWORD, DEMO_USERS
from crossdock.service_layer.observing import LogObserver, Observers

if TYPE_CHECKING:
    import uvicorn

    from crossdock.bootstrap import Crossdock


def _server_class() -> type[uvicorn.Server]:
    import uvicorn  # noqa: PLC0415

    class Server(uvicorn.Server):
        """Stops on SIGINT or SIGTERM and returns, so the embedded worker is stopped and
        the command exits 0 (uvicorn itself raises the signal again once shut down)."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:  # noqa: ARG002
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True  # a second Ctrl-C: do not wait for open requests
            else:
                self.should_exit = True

    return Server


@one_line_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run a worker in this process: deliver events to the agents, route what "
            "they propose, run the scheduled jobs.",
        ),
    ] = True,
    jobs: Annotated[
        bool,
        typer.Option("--jobs/--no-jobs", help="Let the embedded worker run the scheduled jobs."),
    ] = True,
    poll_seconds: Annotated[
        float, typer.Option(help="The embedded worker's pause when nothing was due.", min=0.05)
    ] = 1.0,
) -> None:
    """Serve the API at http://HOST:PORT/api/v1 with an embedded worker; Ctrl-C stops both.

    The worker delivers in-process from the database, or through NATS JetStream when
    CROSSDOCK_BUS_URL names it; a failure is logged and it starts again, the server
    keeps serving."""
    import uvicorn  # noqa: PLC0415

    from crossdock.entrypoints.api import create_app  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    logs.configure(fmt=crossdock.settings.log_format, level=crossdock.settings.log_level)
    app = create_app(crossdock)
    embedded = None
    if worker:
        observer = Observers(LogObserver(), app.state.delivery_metrics)
        options = LoopOptions(poll_seconds=poll_seconds, jobs=jobs, observer=observer)
        embedded = EmbeddedWorker(crossdock, options)
    base = f"http://{host}:{port}"
    delivery = (
        "off (--no-worker)"
        if embedded is None
        else f"through {crossdock.settings.bus_url}"
        if crossdock.settings.bus_url
        else "in-process"
    )
    render.console.print(
        f"Crossdock serving {base}/api/v1 (OpenAPI {base}/api/v1/openapi.json, metrics "
        f"{base}/metrics); embedded worker: {delivery}",
        markup=False,
    )
    render.console.print(f"Workbench: {base}/ (sign in there)", markup=False)
    logins = _demo_logins(crossdock)
    if logins:
        render.console.print(
            f"Demo logins (password {DEMO_PASSWORD}): "
            + ", ".join(f"{name} ({role})" for name, role in logins),
            markup=False,
        )
    server = _server_class()(uvicorn.Config(app, host=host, port=port, log_config=None))
    if embedded is not None:
        embedded.start()
    try:
        server.run()
    finally:
        if embedded is not None:
            embedded.stop(timeout=poll_seconds + 30)
            render.console.print(
                f"worker stopped: {embedded.totals.get('dispatch', {}).get('delivered', 0):,} "
                f"events delivered, {embedded.failures} restarts",
                markup=False,
            )


def _demo_logins(crossdock: Crossdock) -> list[tuple[str, str]]:
    """In demo mode, the demo logins this store holds (name, role); none otherwise."""
    if crossdock.settings.mode != "demo":
        return []
    return [
        (name, role.value)
        for name, role in DEMO_USERS.items()
        if crossdock.governance.principal(name) is not None
    ]
