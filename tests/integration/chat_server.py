"""A local server speaking the OpenAI chat-completions protocol on loopback, for the
copilot's model path: it answers like a small model would, from what it is sent, and
keeps every request so tests can see exactly what reached "the model".

Behaviour, by the conversation it receives:
- the first turn, when tools are offered and the question names an order ("SO-..."):
  ask for `order_status` on it (and for `grant_admin`, which no user has, to check the
  copilot never runs a tool it did not offer);
- otherwise: answer in one sentence that quotes the first line of each source it was
  given and cites them all ([1][2]...).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request


def _app(seen: list[dict[str, Any]], *, fail: bool) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        seen.append(body)
        if fail:
            from fastapi.responses import JSONResponse  # noqa: PLC0415

            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        return _completion(body)

    return app


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    messages = body["messages"]
    user = next(m for m in messages if m["role"] == "user")["content"]
    asked_tools = any(m["role"] == "tool" for m in messages)
    order = re.search(r"SO-\d+", user.split("SOURCES:")[0])
    if body.get("tools") and not asked_tools and order:
        calls = [
            {"id": "call_1", "type": "function",
             "function": {"name": "order_status",
                          "arguments": json.dumps({"order_number": order.group(0)})}},
            {"id": "call_2", "type": "function",
             "function": {"name": "grant_admin", "arguments": "{}"}},
        ]  # fmt: skip
        return _choice({"role": "assistant", "content": None, "tool_calls": calls})
    numbers = sorted({int(n) for n in re.findall(r"<<<\[(\d+)\]", _all_text(messages))})
    firsts = re.findall(r"<<<\[\d+\][^\n]*\n([^\n]*)", _all_text(messages))
    text = "From the sources: " + " ".join(f"{line.strip()}" for line in firsts[:2])
    text += " " + "".join(f"[{n}]" for n in numbers)
    return _choice({"role": "assistant", "content": text})


def _all_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("content") or "") for m in messages)


def _choice(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "local-test",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def chat_server(*, fail: bool = False) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Serve on a free loopback port; yields (base URL ending /v1, requests seen)."""
    seen: list[dict[str, Any]] = []
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(_app(seen, fail=fail), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the local chat server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1", seen
    finally:
        server.should_exit = True
        thread.join(timeout=5)
