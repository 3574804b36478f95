"""benchmarks/RESULTS.md: each benchmark script owns one section between its markers.

Only the text between `<!-- BEGIN <stem> -->` and `<!-- END <stem> -->` is rewritten, so
commentary written around a section survives a re-run.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(stem: str, body: str, *, heading: str) -> Path:
    """Replace the section of `stem` with `body`; append it under `heading` if absent."""
    begin, end = f"<!-- BEGIN {stem} -->", f"<!-- END {stem} -->"
    document = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in document and end in document:
        head, rest = document.split(begin, 1)
        document = head + block + rest.split(end, 1)[1]
    else:
        document = document.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"
    RESULTS.write_text(document, encoding="utf-8")
    return RESULTS
