"""Errors you can move (pickle) and inputs that fail before anything is sent (issue 10, items
3 and 4): every exception class round-trips through pickle with its attributes, credentials
that cannot be header values fail at construction without echoing them, and non-finite floats
in a request body fail with their JSON path."""

from __future__ import annotations

import inspect
import math
import pickle
from typing import Any

import pydantic
import pytest

import aioanthropic
from aioanthropic import (
    AnthropicError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AsyncClient,
    AuthenticationError,
    BatchWaitTimeoutError,
    IncompleteStreamError,
    InvalidCredentialsError,
    OutputValidationError,
    RateLimitError,
    RateLimitWaitError,
    StructuredOutputError,
    ToolInputError,
)
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import Message, MessageBatch, MessageParam
from helpers import RecordedWaits

SECRET = "sk-ant-api03-reliability-" + "q" * 30
HELLO: list[MessageParam] = [{"role": "user", "content": "Hello"}]
PARTIAL = Message.model_validate(
    {
        "id": "msg_1",
        "model": "claude-test",
        "content": [{"type": "text", "text": "half a sent"}],
        "usage": {"input_tokens": 3, "output_tokens": 4},
    }
)
BATCH = MessageBatch.model_validate({"id": "msgbatch_1", "processing_status": "in_progress"})


def every_error_class() -> list[type[AnthropicError]]:
    """Every exception class the package exports (the whole tree, derived, not listed)."""
    classes = [getattr(aioanthropic, name) for name in aioanthropic.__all__]
    found = {c for c in classes if inspect.isclass(c) and issubclass(c, AnthropicError)}
    pending, tree = [AnthropicError], set()
    while pending:  # and every subclass defined anywhere in the package, exported or not
        cls = pending.pop()
        tree.add(cls)
        pending.extend(cls.__subclasses__())
    assert len(found) >= 24
    return sorted(found | tree, key=lambda c: c.__name__)


def example(cls: type[AnthropicError]) -> AnthropicError:
    """An instance with every attribute its class has set to a non-default value."""
    common: dict[str, Any] = {
        "request_id": "req_42",
        "retries_taken": 2,
        "partial_message": PARTIAL,
    }
    if issubclass(cls, APIStatusError):
        return cls(
            "the server said no",
            status_code=529,
            error_type="overloaded_error",
            body={"type": "error", "error": {"type": "overloaded_error", "message": "no"}},
            headers={"retry-after": "3", "anthropic-ratelimit-requests-remaining": "0"},
            retry_after=3.0,
            **common,
        )
    if issubclass(cls, APIResponseValidationError):
        return cls("bad shape", body='{"type": "mess', **common)
    if issubclass(cls, APIError):
        return cls("went away", **common)
    if cls is BatchWaitTimeoutError:
        return cls("gave up", batch=BATCH)
    if issubclass(cls, OutputValidationError):
        errors = [{"type": "missing", "loc": ("name",), "msg": "Field required"}]
        return cls("does not validate", message=PARTIAL, raw='{"age": 3}', errors=errors)
    if issubclass(cls, StructuredOutputError):
        return cls("no output", message=PARTIAL)
    if issubclass(cls, RateLimitWaitError):
        return cls("would wait 30s for output_tokens", budget="output_tokens", wait=30.0)
    if issubclass(cls, ToolInputError):
        try:
            pydantic.TypeAdapter(int).validate_python("three")
        except pydantic.ValidationError as invalid:
            return cls("get_weather", invalid)
    return cls("plain")


def state(error: BaseException) -> dict[str, Any]:
    out = {}
    for name, value in vars(error).items():
        if name in ("request", "response"):
            continue  # the live httpx objects (credentials in their headers) are not pickled
        out[name] = value.model_dump() if hasattr(value, "model_dump") else value
    return out


@pytest.mark.parametrize("cls", every_error_class(), ids=lambda c: c.__name__)
def test_every_error_class_round_trips_through_pickle(cls: type[AnthropicError]) -> None:
    error = example(cls)
    if issubclass(cls, (APIError, BatchWaitTimeoutError)):
        assert vars(error)  # there are attributes to compare
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert copy.args == error.args
    assert state(copy) == state(error)
    assert str(copy) == str(error)
    if isinstance(error, APIError):
        assert isinstance(copy, APIError)
        assert copy.partial_message is not None
        assert copy.partial_message.content[0].text == "half a sent"  # type: ignore[union-attr]
    if isinstance(error, APIStatusError):
        assert isinstance(copy, APIStatusError)
        assert (copy.status_code, copy.error_type, copy.retry_after) == (
            529,
            "overloaded_error",
            3.0,
        )
        assert copy.rate_limit.retry_after == 3.0
    if isinstance(error, BatchWaitTimeoutError):
        assert copy.batch == BATCH
        assert isinstance(copy, TimeoutError)
    if isinstance(error, StructuredOutputError):
        assert isinstance(copy, StructuredOutputError)
        assert copy.message == PARTIAL


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_protocols(protocol: int) -> None:
    error = example(RateLimitError)
    assert state(pickle.loads(pickle.dumps(error, protocol))) == state(error)


def test_a_long_message_is_cut_in_str_but_kept_whole() -> None:
    message = "x" * 1_000_000
    error = RateLimitError(message, status_code=429, body={"error": {"message": message}})
    text = str(error)
    assert len(text) < 1200
    assert "1,000,000 characters" in text
    assert error.message == message  # nothing lost
    assert str(pickle.loads(pickle.dumps(error))) == text


@pytest.mark.anyio
@pytest.mark.parametrize(
    "fault",
    [Fault(status=429, retry_after=1), Fault(omit_stop=True), Fault(malformed_after=4)],
    ids=["429", "incomplete", "malformed"],
)
async def test_errors_raised_by_a_real_client_pickle_without_the_key(
    server: FakeServer, fault: Fault
) -> None:
    server.enqueue(*[fault] * 3)
    async with AsyncClient(
        api_key=SECRET, base_url=server.url, max_retries=0, _sleep=RecordedWaits()
    ) as client:
        with pytest.raises(APIError) as info:
            async with client.messages.stream(
                model="claude-test", max_tokens=50, messages=HELLO
            ) as stream:
                await stream.get_final_message()
    raw = pickle.dumps(info.value)
    assert SECRET.encode() not in raw
    assert SECRET[-12:].encode() not in raw
    copy = pickle.loads(raw)
    assert type(copy) is type(info.value)
    assert state(copy) == state(info.value)
    assert copy.request_id is not None
    if isinstance(copy, IncompleteStreamError):
        assert copy.partial_message is not None


@pytest.mark.anyio
async def test_a_401_pickles_without_the_key() -> None:
    async with FakeServer(api_key="the-right-key") as guarded:
        async with AsyncClient(api_key=SECRET, base_url=guarded.url) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.messages.create(model="m", max_tokens=5, messages=HELLO)
    raw = pickle.dumps(info.value)
    assert SECRET[-12:].encode() not in raw
    assert pickle.loads(raw).status_code == 401


# --- credentials that cannot be header values ----------------------------------------------

BAD_VALUES = {
    "trailing-newline": SECRET + "\n",
    "trailing-crlf": SECRET + "\r\n",
    "leading-space": " " + SECRET,
    "inner-lf": SECRET[:10] + "\n" + SECRET[10:],
    "inner-cr": SECRET[:10] + "\r" + SECRET[10:],
    "nul": SECRET[:10] + "\x00" + SECRET[10:],
    "escape": SECRET[:10] + "\x1b" + SECRET[10:],
    "del": SECRET + "\x7f" + "z",
    "tab-at-end": SECRET + "\t",
    "non-ascii": SECRET[:10] + "é" + SECRET[10:],
    "empty": "",
}


@pytest.mark.parametrize("parameter", ["api_key", "auth_token"])
@pytest.mark.parametrize("value", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
def test_a_credential_that_cannot_be_a_header_fails_at_construction(
    parameter: str, value: str
) -> None:
    with pytest.raises(InvalidCredentialsError) as info:
        AsyncClient(**{parameter: value}, base_url="http://127.0.0.1:9")  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(parameter)
    assert isinstance(info.value, ValueError)
    for secret_piece in (SECRET, SECRET[:10], SECRET[10:], SECRET[-12:]):
        assert secret_piece not in message
        assert secret_piece not in repr(info.value)
    assert secret_piece.encode() not in pickle.dumps(info.value)


@pytest.mark.parametrize(
    ("variable", "parameter"),
    [("ANTHROPIC_API_KEY", "api_key"), ("ANTHROPIC_AUTH_TOKEN", "auth_token")],
)
def test_a_credential_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, parameter: str
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    monkeypatch.setenv(variable, SECRET + "\n")
    with pytest.raises(InvalidCredentialsError) as info:
        AsyncClient(base_url="http://127.0.0.1:9")
    assert f"{parameter} (read from {variable})" in str(info.value)
    assert "newline" in str(info.value)
    assert SECRET not in str(info.value)


def test_an_empty_variable_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # CI systems export unset secrets as empty strings; only an explicit "" is refused.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "")
    client = AsyncClient(auth_token="tok", base_url="http://127.0.0.1:9")
    assert client.base_url == "http://127.0.0.1:9"
    with pytest.raises(InvalidCredentialsError, match=r"^api_key cannot .* it is empty"):
        AsyncClient(api_key="", auth_token="tok", base_url="http://127.0.0.1:9")


@pytest.mark.parametrize("parameter", ["api_key", "auth_token"])
@pytest.mark.parametrize("value", [12345, SECRET.encode()], ids=["int", "bytes"])
def test_a_credential_that_is_not_a_str_is_named_with_its_type(
    parameter: str, value: object
) -> None:
    # Not a regex's "expected string or bytes-like object" TypeError from deep inside.
    with pytest.raises(InvalidCredentialsError) as info:
        AsyncClient(**{parameter: value}, base_url="http://127.0.0.1:9")  # type: ignore[arg-type]
    assert str(info.value) == f"{parameter} must be a str, got {type(value).__name__}"


@pytest.mark.parametrize("value", ["sk-ant-abc", "token with inner spaces", "a\tb", "x"])
def test_valid_header_values_are_accepted(value: str) -> None:
    AsyncClient(api_key=value, auth_token=value, base_url="http://127.0.0.1:9")


@pytest.mark.anyio
async def test_nothing_is_sent_with_a_bad_credential(server: FakeServer) -> None:
    with pytest.raises(InvalidCredentialsError):
        AsyncClient(api_key=SECRET + "\n", base_url=server.url)
    assert server.requests == []


# --- non-finite floats in a request body -----------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    ("where", "path"),
    [
        ("temperature", "body.temperature"),
        ("tool", "body.tools[0].input_schema.properties.x.maximum"),
        ("content", 'body.messages[0].content[1].input["odd key"][2]'),
        ("extra_body", "body.top_k"),
        ("metadata", "body.metadata.weights[0]"),
    ],
)
async def test_non_finite_numbers_fail_with_their_path_and_nothing_is_sent(
    server: FakeServer, bad: float, where: str, path: str
) -> None:
    kwargs: dict[str, Any] = {"model": "claude-test", "max_tokens": 20, "messages": HELLO}
    if where == "temperature":
        kwargs["temperature"] = bad
    elif where == "tool":
        schema = {"type": "object", "properties": {"x": {"type": "number", "maximum": bad}}}
        kwargs["tools"] = [{"name": "t", "input_schema": schema}]
    elif where == "content":
        kwargs["messages"] = [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "hi"},
                    {
                        "type": "tool_use",
                        "id": "t1",
                        "name": "t",
                        "input": {"odd key": [1, 2.5, bad]},
                    },
                ],
            }
        ]
    elif where == "extra_body":
        kwargs["extra_body"] = {"top_k": bad}
    else:
        kwargs["metadata"] = {"weights": (bad,)}
    async with AsyncClient(api_key="test", base_url=server.url) as client:
        with pytest.raises(ValueError, match="RFC 8259") as info:
            await client.messages.create(**kwargs)
        with pytest.raises(ValueError, match="RFC 8259") as streamed:
            await client.messages.stream(**kwargs).__aenter__()
    for error in (info.value, streamed.value):
        assert path in str(error)
        assert repr(bad) in str(error)
        assert not isinstance(error, AnthropicError)
    assert server.requests == []


@pytest.mark.anyio
async def test_finite_floats_still_go_through(server: FakeServer) -> None:
    async with AsyncClient(api_key="test", base_url=server.url) as client:
        message = await client.messages.create(
            model="claude-test", max_tokens=20, messages=HELLO, temperature=0.5, top_p=1e-300
        )
    assert message.stop_reason is not None
    assert server.requests[-1].json["temperature"] == 0.5


@pytest.mark.parametrize(
    "base_url", ["localhost:8080/v1", "127.0.0.1:9", "api.example.com", "ftp://x"]
)
def test_a_base_url_without_http_fails_at_construction(base_url: str) -> None:
    with pytest.raises(ValueError, match=r"^base_url must be an absolute http:// or https:// URL"):
        AsyncClient(api_key="k", base_url=base_url)


def test_a_bad_base_url_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "localhost:8080")
    with pytest.raises(ValueError, match=r"^ANTHROPIC_BASE_URL must be .*'localhost:8080'"):
        AsyncClient(api_key="k")
