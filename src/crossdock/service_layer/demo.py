"""Load the generated demo network through the same validation path as any import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

import pandas as pd

from crossdock.demo import DemoOptions, generate_demo_network
from crossdock.service_layer.importing import ImportOutcome, Progress, import_sources
from crossdock.service_layer.ports import CanonicalStore, RowsWritten, SourceFrame


def load_demo_network(
    options: DemoOptions,
    *,
    store: CanonicalStore,
    progress: Progress | None = None,
    replace: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportOutcome:
    """Generate the demo network for `options` and import it into `store`.

    With `replace`, every canonical record is deleted first, so the store holds exactly
    this network; otherwise rows are upserted over whatever is there.

    The generated rows are validated like a customer's files, so the demo proves the
    import path too; a generator bug shows up as quarantined rows, not silent data.
    """
    steps: dict[str, tuple[RowsWritten, int]] = {}

    def on_step(step: str, done: int, total: int) -> None:
        if progress is None:
            return
        if step not in steps:
            steps[step] = (progress(f"generating {step}", total), 0)
        advance, reported = steps[step]
        advance(done - reported)
        steps[step] = (advance, done)

    frames = generate_demo_network(options, progress=on_step)
    if replace:
        store.delete_canonical_records()
    description = "demo " + " ".join(f"{key}={value}" for key, value in asdict(options).items())
    sources = [
        SourceFrame(entity=name, source="demo", frame=_numbered(frame))
        for name, frame in frames.items()
    ]
    return import_sources(
        sources,
        store=store,
        kind="demo",
        description=description,
        as_of=clock(),
        progress=progress,
        clock=clock,
    )


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    numbered = frame.reset_index(drop=True)
    numbered["_row"] = numbered.index + 1
    return numbered
