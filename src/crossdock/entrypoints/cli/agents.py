"""`crossdock agents`: each agent, the events it reacts to, the workflows it may propose
in and the data it reads, with its activity when a database is there."""

from __future__ import annotations

from rich.table import Table

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock


@one_line_errors
def agents_command(as_json: JsonOption = False) -> None:
    """The agents: what each reacts to, may propose and reads, and what it has handled."""
    # imported here: the agents' handlers reach the planning engine (slow to import)
    from crossdock.service_layer.agent_runtime import agent_specs  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    activity = {row["agent"]: row for row in crossdock.events.agent_activity()}
    rows = [
        {**spec.to_json(), "handled": activity.get(spec.name, {}).get("handled", 0),
         "dead_letters": activity.get(spec.name, {}).get("dead_letters", 0)}
        for spec in agent_specs()
    ]  # fmt: skip
    if as_json:
        render.emit_json({"agents": rows})
        return
    table = Table("agent", "reacts to", "may propose", "reads", "handled", "dead letters")
    for row in rows:
        table.add_row(
            row["agent"].removeprefix("agent:"),
            ", ".join(t.removeprefix("events.") for t in row["topics"]),
            ", ".join(row["workflows"]),
            ", ".join(row["data"]),
            f"{row['handled']:,}",
            f"{row['dead_letters']:,}",
        )
    render.console.print(table)
