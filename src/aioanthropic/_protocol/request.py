"""Pure request building: the URL, the headers and the JSON body of a call.

Nothing here reads the environment or does I/O; the client resolves its configuration once
and hands the values in.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from aioanthropic._version import __version__

from .content_decoding import ACCEPT_ENCODING

DEFAULT_BASE_URL = "https://api.anthropic.com"
USER_AGENT = f"aioanthropic/{__version__}"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def join_url(base_url: str, path: str) -> str:
    """Join a base URL and an API path such as ``/v1/messages``.

    A path prefix on the base URL is kept (``https://gw.example/anthropic``), and a base URL
    that already ends in ``/v1`` does not become ``/v1/v1``.
    """
    base = base_url.rstrip("/")
    if base.endswith("/v1") and path.startswith("/v1/"):
        path = path[3:]
    return base + path


def build_headers(
    *,
    api_key: str | None,
    auth_token: str | None,
    anthropic_version: str,
    default_headers: Mapping[str, str] | None = None,
    betas: Iterable[str] | None = None,
    extra_headers: Mapping[str, str | None] | None = None,
    accept: str = "application/json",
) -> dict[str, str]:
    """The headers of one request. ``extra_headers`` wins; a value of None removes a header."""
    headers: dict[str, str] = {
        "accept": accept,
        # Only codings decoded in bounded steps (content_decoding.py); httpx would offer br
        # and zstd too when their packages are installed.
        "accept-encoding": ACCEPT_ENCODING,
        "content-type": "application/json",
        "anthropic-version": anthropic_version,
        "user-agent": USER_AGENT,
    }
    if api_key is not None:
        headers["x-api-key"] = api_key
    if auth_token is not None:
        headers["authorization"] = f"Bearer {auth_token}"
    if default_headers:
        for name, value in default_headers.items():
            headers[name.lower()] = value
    if betas:
        joined = ",".join(b.strip() for b in betas if b.strip())
        if joined:
            headers["anthropic-beta"] = joined
    if extra_headers:
        for name, header_value in extra_headers.items():
            if header_value is None:
                headers.pop(name.lower(), None)
            else:
                headers[name.lower()] = header_value
    return headers


def build_body(params: Mapping[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON body: parameters left as None are omitted; ``extra_body`` is merged last."""
    body = {key: value for key, value in params.items() if value is not None}
    if extra_body:
        body.update(extra_body)
    return body


def encode_json(body: Mapping[str, Any]) -> bytes:
    """Encode a body; response models in it (history sent back) are dumped as the API sent
    them. Plain dicts are not walked: only objects ``json`` cannot encode reach the hook.

    Raises ``ValueError`` naming the JSON path of a NaN or infinite float (RFC 8259 JSON has
    no such values: a strict server answers 400, a lenient one computes with garbage); the
    body is only walked to find it after ``json`` refused it, so valid bodies cost nothing.
    """
    try:
        text = json.dumps(
            body, ensure_ascii=False, separators=(",", ":"), default=_encode, allow_nan=False
        )
    except ValueError:
        path = find_non_finite(body)
        if path is None:
            raise
        raise ValueError(
            f"The request body holds a non-finite number ({path[1]}) at {path[0]}: JSON "
            "(RFC 8259) has no NaN or Infinity; replace it before sending"
        ) from None
    return text.encode()


def find_non_finite(value: object, path: str = "body") -> tuple[str, str] | None:
    """The first NaN/inf float in a JSON-like value, as (JSON path, repr), or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, repr(value))
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = find_non_finite(
                item,
                f"{path}.{key}"
                if _IDENT.fullmatch(str(key))
                else f"{path}[{json.dumps(str(key))}]",
            )
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            found = find_non_finite(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(value, BaseModel):
        return find_non_finite(_encode(value), path)
    return None


def _encode(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    to_param = getattr(value, "to_param", None)
    if callable(to_param):  # a tool object (``@tool``) in ``tools=[...]``
        return to_param()
    raise TypeError(
        f"Object of type {type(value).__name__} is not JSON serializable; request parameters "
        "must be dicts, lists, strings, numbers, booleans, None, aioanthropic response models "
        "or objects with a to_param() method (tools)"
    )
