"""Any OpenAI-compatible chat-completions server as the copilot's model: vLLM, Ollama,
llama.cpp's server, LiteLLM or a hosted provider, by base URL, model name and key."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import openai

from crossdock.service_layer.assistant_ports import ChatReply, ModelUnavailable, ToolCall


class OpenAIChat:
    """`ChatModel` over the `openai` client. Temperature 0, so that the same sources
    give the same answer as far as the server allows; one retry on a dropped connection."""

    def __init__(
        self, *, base_url: str, model: str, api_key: str | None, timeout_seconds: float
    ) -> None:
        self._model = model
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",  # local servers take any key
            timeout=timeout_seconds,
            max_retries=1,
        )
        self._where = base_url

    @property
    def name(self) -> str:
        return self._model

    def complete(
        self, messages: Sequence[Mapping[str, Any]], *, tools: Sequence[Mapping[str, Any]]
    ) -> ChatReply:
        extra: dict[str, Any] = {"tools": list(tools)} if tools else {}
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                messages=list(messages),  # type: ignore[arg-type]
                temperature=0,
                **extra,
            )
        except openai.OpenAIError as error:
            raise ModelUnavailable(
                f"the copilot's model {self._model!r} at {self._where} failed: {error}"
            ) from error
        if not response.choices:
            raise ModelUnavailable(f"the copilot's model {self._model!r} returned no choice")
        message = response.choices[0].message
        calls = tuple(_call(call) for call in message.tool_calls or ())
        return ChatReply(content=message.content, tool_calls=calls)


def _call(call: Any) -> ToolCall:
    text = call.function.arguments or "{}"
    try:
        arguments = json.loads(text)
    except json.JSONDecodeError:
        return ToolCall(call.id, call.function.name, {}, problem=f"arguments not JSON: {text!r}")
    if not isinstance(arguments, dict):
        return ToolCall(
            call.id, call.function.name, {}, problem=f"arguments not an object: {text!r}"
        )
    return ToolCall(call.id, call.function.name, arguments)
