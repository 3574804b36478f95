"""A JSON response for the large pages (the work queue): the body serialised by Pydantic's
core in one pass. FastAPI's default path walks every nested value of a returned dict
through `jsonable_encoder` in Python, which cost as much as building the page (22 ms of
a 50-row queue page of 110 KB); this takes under 1 ms (benchmarks/bench_queue.py)."""

from __future__ import annotations

from typing import Any, Final

from fastapi.responses import Response
from pydantic import TypeAdapter

_ANY: Final = TypeAdapter(Any)


class FastJSONResponse(Response):
    """`content` (dicts, lists, dates, decimals ...) as JSON, as FastAPI would write it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _ANY.dump_json(content)
