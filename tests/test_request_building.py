"""How calls become HTTP requests. Pure request building, so no socket is needed: a
ReplayTransport records each request and answers a canned message."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aioanthropic import AsyncClient, MissingCredentialsError, __version__
from aioanthropic._protocol.request import join_url
from aioanthropic.testing import ReplayResponse, ReplayTransport
from aioanthropic.types import Message
from helpers import REPLY

pytestmark = pytest.mark.anyio


@pytest.fixture
def capture() -> ReplayTransport:
    """Answers the canned message to up to 8 requests (more than any test here makes)."""
    return ReplayTransport([ReplayResponse.json(REPLY, headers={"request-id": "req_123"})] * 8)


def last(capture: ReplayTransport) -> httpx.Request:
    return capture.requests[-1]


def sent_body(capture: ReplayTransport) -> Any:
    return json.loads(last(capture).content)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return None


def make_client(capture: ReplayTransport, **kwargs: Any) -> AsyncClient:
    return AsyncClient(http_client=httpx.AsyncClient(transport=capture), **kwargs)


async def create(client: AsyncClient, **kwargs: Any) -> Message:
    args: dict[str, Any] = {
        "model": "claude-test",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    args.update(kwargs)
    message: Message = await client.messages.create(**args)
    return message


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://api.anthropic.com", "https://api.anthropic.com/v1/messages"),
        ("https://api.anthropic.com/", "https://api.anthropic.com/v1/messages"),
        ("https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages"),
        ("https://api.anthropic.com/v1/", "https://api.anthropic.com/v1/messages"),
        ("https://gw.example/anthropic", "https://gw.example/anthropic/v1/messages"),
        ("https://gw.example/anthropic/v1", "https://gw.example/anthropic/v1/messages"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/messages"),
    ],
)
def test_join_url(base: str, expected: str) -> None:
    assert join_url(base, "/v1/messages") == expected


async def test_default_headers_and_body(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="sk-test-key") as client:
        message = await create(client)
    request = last(capture)
    assert request.method == "POST"
    assert str(request.url) == "https://api.anthropic.com/v1/messages"
    assert request.headers["x-api-key"] == "sk-test-key"
    assert "authorization" not in request.headers
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == f"aioanthropic/{__version__}"
    assert not [h for h in request.headers if h.startswith("x-stainless")]
    assert "anthropic-beta" not in request.headers
    assert sent_body(capture) == {
        "model": "claude-test",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    assert message.id == "msg_1"
    assert message.content[0].text == "hi"  # type: ignore[union-attr]
    assert message.request_id == "req_123"
    assert message.retries_taken == 0


async def test_every_parameter_reaches_the_body(capture: ReplayTransport) -> None:
    tools = [{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}]
    async with make_client(capture, api_key="k") as client:
        await create(
            client,
            system=[{"type": "text", "text": "be brief"}],
            temperature=0.3,
            top_p=0.9,
            top_k=5,
            stop_sequences=["END"],
            metadata={"user_id": "u-1"},
            tools=tools,
            tool_choice={"type": "auto"},
            thinking={"type": "enabled", "budget_tokens": 1024},
            service_tier="auto",
        )
    body = sent_body(capture)
    assert body["system"] == [{"type": "text", "text": "be brief"}]
    assert body["temperature"] == 0.3
    assert body["top_p"] == 0.9
    assert body["top_k"] == 5
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "u-1"}
    assert body["tools"] == tools
    assert body["tool_choice"] == {"type": "auto"}
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert body["service_tier"] == "auto"
    assert "stream" not in body


async def test_temperature_zero_is_sent(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k") as client:
        await create(client, temperature=0.0, top_k=0)
    assert sent_body(capture)["temperature"] == 0.0
    assert sent_body(capture)["top_k"] == 0


async def test_betas_extra_headers_query_and_body(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k", default_headers={"X-Team": "a"}) as client:
        await create(
            client,
            betas=["beta-one-2025-01-01", "beta-two-2025-02-02"],
            extra_headers={"x-trace": "t-1", "X-Team": "b", "user-agent": None},
            extra_query={"debug": "1"},
            extra_body={"temperature": 1.0, "new_param": {"x": 1}},
            temperature=0.2,
        )
    request = last(capture)
    assert request.headers["anthropic-beta"] == "beta-one-2025-01-01,beta-two-2025-02-02"
    assert request.headers["x-trace"] == "t-1"
    assert request.headers["x-team"] == "b"
    assert request.url.params["debug"] == "1"
    body = sent_body(capture)
    assert body["temperature"] == 1.0
    assert body["new_param"] == {"x": 1}
    # httpx adds its own user-agent when ours is removed: what matters is that ours is gone.
    assert not request.headers.get("user-agent", "").startswith("aioanthropic")


async def test_auth_token_sends_bearer(capture: ReplayTransport) -> None:
    async with make_client(capture, auth_token="tok-1") as client:
        await create(client)
    assert last(capture).headers["authorization"] == "Bearer tok-1"
    assert "x-api-key" not in last(capture).headers


async def test_key_and_token_together(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k-1", auth_token="tok-1") as client:
        await create(client)
    assert last(capture).headers["x-api-key"] == "k-1"
    assert last(capture).headers["authorization"] == "Bearer tok-1"


async def test_environment_fallbacks(
    capture: ReplayTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "env-token")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://gw.example/anthropic/v1/")
    async with make_client(capture) as client:
        await create(client)
    assert last(capture).headers["x-api-key"] == "env-key"
    assert last(capture).headers["authorization"] == "Bearer env-token"
    assert str(last(capture).url) == "https://gw.example/anthropic/v1/messages"


async def test_arguments_win_over_environment(
    capture: ReplayTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://env.example")
    async with make_client(capture, api_key="arg-key", base_url="https://arg.example") as client:
        await create(client)
    assert last(capture).headers["x-api-key"] == "arg-key"
    assert last(capture).url.host == "arg.example"


async def test_no_credentials_fails_at_first_request_naming_the_variables(
    capture: ReplayTransport,
) -> None:
    client = make_client(capture)  # constructing is fine
    with pytest.raises(MissingCredentialsError) as info:
        await create(client)
    assert "ANTHROPIC_API_KEY" in str(info.value)
    assert "ANTHROPIC_AUTH_TOKEN" in str(info.value)
    assert capture.requests == []
    await client.aclose()


async def test_per_call_timeout_reaches_the_request(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k", timeout=20.0) as client:
        await create(client)
        assert last(capture).extensions["timeout"]["read"] == 20.0
        await create(client, timeout=3.0)
        assert last(capture).extensions["timeout"]["read"] == 3.0


async def test_default_timeout_is_600s_with_5s_connect(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k") as client:
        await create(client)
    timeout = last(capture).extensions["timeout"]
    assert timeout["read"] == 600.0
    assert timeout["connect"] == 5.0


async def test_a_given_http_clients_own_headers_go_under_the_sdks(
    capture: ReplayTransport,
) -> None:
    # The SDK builds requests itself (httpx's build_request merging was a fifth of a small
    # streamed request), so it must merge the httpx client's headers as httpx would.
    http = httpx.AsyncClient(
        transport=capture, headers={"x-proxy-token": "p1", "user-agent": "theirs/1"}
    )
    async with AsyncClient(http_client=http, api_key="k") as client:
        await create(client)
        first = last(capture)
        assert first.headers["x-proxy-token"] == "p1"
        assert first.headers["user-agent"] == f"aioanthropic/{__version__}"  # ours wins
        assert first.headers.get_list("user-agent") == [f"aioanthropic/{__version__}"]
        assert first.headers["host"] == "api.anthropic.com"
        assert first.headers["content-length"] == str(len(first.content))
        http.headers["x-proxy-token"] = "p2"  # edited between calls: the next one sees it
        del http.headers["accept"]
        http.headers["x-added"] = "yes"
        await create(client)
        assert last(capture).headers["x-proxy-token"] == "p2"
        assert last(capture).headers["x-added"] == "yes"
        assert last(capture).headers["accept"] == "application/json"


async def test_a_given_http_clients_params_and_cookies_are_sent(
    capture: ReplayTransport,
) -> None:
    http = httpx.AsyncClient(transport=capture, params={"tenant": "t1"}, cookies={"c": "1"})
    async with AsyncClient(http_client=http, api_key="k", timeout=7.0) as client:
        await create(client, extra_query={"trace": "on"})
    request = last(capture)
    assert request.url.params["tenant"] == "t1"
    assert request.url.params["trace"] == "on"
    assert request.headers["cookie"] == "c=1"
    assert request.headers["x-api-key"] == "k"
    assert request.extensions["timeout"]["read"] == 7.0


async def test_per_call_query_on_a_cached_url_does_not_stick(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k") as client:
        await create(client, extra_query={"a": "1"})
        assert last(capture).url.params["a"] == "1"
        await create(client)
        assert str(last(capture).url) == "https://api.anthropic.com/v1/messages"


async def test_response_models_can_be_sent_back_as_history(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k") as client:
        first = await create(client)
        tool_use = {"type": "tool_use", "id": "t1", "name": "calc", "input": {"x": None, "y": 1}}
        await create(
            client,
            messages=[
                {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": first.content},
                {"role": "assistant", "content": [tool_use]},
            ],
        )
    sent = sent_body(capture)["messages"]
    assert sent[1] == {"role": "assistant", "content": [{"type": "text", "text": "hi"}]}
    # A None inside a plain dict is the caller's data and is sent as it is.
    assert sent[2]["content"][0]["input"] == {"x": None, "y": 1}


async def test_unserialisable_parameter_gets_a_clear_error(capture: ReplayTransport) -> None:
    async with make_client(capture, api_key="k") as client:
        with pytest.raises(TypeError, match="not JSON serializable"):
            await create(client, metadata={"user_id": object()})


async def test_the_default_http_client_does_not_follow_redirects() -> None:
    # A redirect would carry x-api-key to whatever host it names.
    async with AsyncClient(api_key="k") as client:
        assert client._http.follow_redirects is False


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"timeout": "30"}, "timeout must be a positive number of seconds"),
        ({"timeout": -1}, "timeout must be a positive number of seconds"),
        ({"max_retries": "2"}, "max_retries must be an int >= 0"),
        ({"max_retries": True}, "max_retries must be an int >= 0"),
        ({"max_retry_wait": float("nan")}, "max_retry_wait must be a number of seconds"),
    ],
)
def test_bad_option_types_fail_at_construction(options: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        AsyncClient(api_key="k", **options)


def test_timeout_none_means_no_limit_as_in_httpx() -> None:
    assert AsyncClient(api_key="k", timeout=None).timeout == httpx.Timeout(None)
