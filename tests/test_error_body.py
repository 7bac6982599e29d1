from __future__ import annotations

import json

import pytest

from aioanthropic import (
    APIStatusError,
    InternalServerError,
    OverloadedError,
    ServiceUnavailableError,
)
from aioanthropic._protocol.error_body import parse_error_body
from aioanthropic._protocol.exceptions import status_error_class
from helpers import STATUS_CLASSES


def test_anthropic_envelope() -> None:
    raw = json.dumps(
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    ).encode()
    error_type, message, body = parse_error_body(529, raw)
    assert (error_type, message) == ("overloaded_error", "Overloaded")
    assert isinstance(body, dict)
    assert body["error"]["type"] == "overloaded_error"


@pytest.mark.parametrize(
    ("error", "expected_type", "expected_message"),
    [
        (
            {"message": "bad key", "type": "invalid_api_key", "param": None, "code": 401},
            "invalid_api_key",
            "bad key",
        ),
        (
            {"message": "no model", "type": "None", "param": "model", "code": "model_not_found"},
            "model_not_found",
            "no model",
        ),
        ({"message": "slow down", "type": "None", "param": None, "code": 429}, "429", "slow down"),
        (
            {"message": {"detail": "nested", "n": 1}, "type": "server_error", "code": None},
            "server_error",
            '{"detail": "nested", "n": 1}',
        ),
        ({"type": "None", "code": None}, None, "HTTP 500 Internal Server Error"),
    ],
)
def test_openai_style_envelope(
    error: dict[str, object], expected_type: str | None, expected_message: str
) -> None:
    error_type, message, body = parse_error_body(500, json.dumps({"error": error}).encode())
    assert error_type == expected_type
    assert message == expected_message
    assert body == {"error": error}


def test_html_body_is_kept_as_text_and_summarised() -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>"
    error_type, message, body = parse_error_body(502, page)
    assert error_type is None
    assert body == page.decode()
    assert message.startswith("HTTP 502 Bad Gateway with a non-JSON body: <html>")
    assert "\n" not in message


def test_long_text_body_is_truncated_in_the_message_but_kept_whole() -> None:
    raw = b"x" * 10_000
    _, message, body = parse_error_body(413, raw)
    assert message.endswith("...")
    assert len(message) < 400
    assert body == raw.decode()


@pytest.mark.parametrize("raw", [b"", b"   ", b"null"])
def test_empty_body(raw: bytes) -> None:
    error_type, message, _ = parse_error_body(503, raw)
    assert error_type is None
    assert message == "HTTP 503 Service Unavailable"


def test_json_that_is_not_an_envelope() -> None:
    assert parse_error_body(400, b"[1, 2]")[:2] == (None, "HTTP 400 Bad Request")
    assert parse_error_body(400, b'{"error": "plain words"}')[:2] == (None, "plain words")
    assert parse_error_body(418, b'{"message": "teapot"}')[:2] == (None, "teapot")
    assert parse_error_body(599, b"{}")[1] == "HTTP 599"


def test_invalid_utf8_does_not_raise() -> None:
    _, message, body = parse_error_body(500, b"\xff\xfe oops")
    assert "oops" in message
    assert isinstance(body, str)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        *STATUS_CLASSES,
        (418, APIStatusError),
    ],
)
def test_status_to_class(status: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(status) is cls
    assert issubclass(ServiceUnavailableError, InternalServerError)
    assert issubclass(OverloadedError, InternalServerError)
