"""The OpenAI-compatible model adapter against a local server speaking the protocol."""

import pytest

from crossdock.adapters.llm.openai_chat import OpenAIChat
from crossdock.service_layer.assistant_ports import ModelUnavailable
from tests.integration.chat_server import chat_server

TOOLS = [{"type": "function", "function": {"name": "order_status", "parameters": {
    "type": "object", "properties": {"order_number": {"type": "string"}}}}}]  # fmt: skip


def _model(url):
    return OpenAIChat(base_url=url, model="local-test", api_key="k", timeout_seconds=5)


def test_tool_calls_and_text_come_back_as_the_server_sent_them():
    with chat_server() as (url, seen):
        model = _model(url)
        first = model.complete(
            [{"role": "user", "content": "QUESTION:\nwhy is SO-0001042 held?\n\nSOURCES:\n"}],
            tools=TOOLS,
        )
        assert [(c.name, dict(c.arguments)) for c in first.tool_calls] == [
            ("order_status", {"order_number": "SO-0001042"}),
            ("grant_admin", {}),
        ]
        second = model.complete(
            [{"role": "user", "content": "QUESTION:\nq\n\nSOURCES:\n<<<[1] x\nOn hold.\n>>>"}],
            tools=[],
        )
    assert second.content == "From the sources: On hold. [1]"
    assert second.tool_calls == ()
    assert seen[0]["model"] == "local-test"
    assert seen[0]["temperature"] == 0
    assert seen[0]["tools"] == TOOLS
    assert "tools" not in seen[1]


def test_a_failing_server_is_model_unavailable_naming_model_and_address():
    with chat_server(fail=True) as (url, _), pytest.raises(ModelUnavailable) as raised:
        _model(url).complete([{"role": "user", "content": "hi"}], tools=[])
    assert "local-test" in str(raised.value)
    assert url in str(raised.value)
