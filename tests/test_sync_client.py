"""The sync ``Client``: every resource through the loop thread, threads, Ctrl-C, close."""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import aioanthropic
from aioanthropic import (
    NOT_GIVEN,
    Anthropic,
    APIConnectionError,
    AsyncAnthropic,
    AsyncClient,
    Client,
    NotFoundError,
    SyncPage,
    omit,
)
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import MessageParam, ParsedMessageStopEvent
from web_helpers import open_streams_settled

USER: list[MessageParam] = [{"role": "user", "content": "Hello there"}]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(batch_processing_delay=0.05) as fake:
        yield fake


@pytest.fixture
def client(server: FakeServer) -> Iterator[Client]:
    with Client(base_url=server.url, api_key="test") as sync_client:
        yield sync_client


def loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "aioanthropic-sync-loop"]


def test_the_official_names_are_the_same_classes() -> None:
    assert Anthropic is Client
    assert AsyncAnthropic is AsyncClient
    assert aioanthropic.Anthropic is aioanthropic.Client


def test_messages_create_stream_and_count_tokens(client: Client) -> None:
    message = client.messages.create(model="m", max_tokens=50, messages=USER)
    assert message.content[0].text == "You said: Hello there"  # type: ignore[union-attr]
    assert message.request_id is not None

    with client.messages.stream(model="m", max_tokens=50, messages=USER) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(texts) == "You said: Hello there"
    assert final.model_dump() == message.model_dump() | {"id": final.id}

    with client.messages.stream(model="m", max_tokens=50, messages=USER) as stream:
        events = list(stream)
        assert stream.response.status_code == 200
        assert stream.current_message_snapshot.stop_reason == "end_turn"
    kinds = [event.type for event in events]
    assert kinds.count("text") == kinds.count("content_block_delta") == len(texts)
    last = events[-1]
    assert isinstance(last, ParsedMessageStopEvent)
    assert last.message.content == message.content

    raw = client.messages.create(model="m", max_tokens=50, messages=USER, stream=True)
    with raw:
        raw_kinds = [event.type for event in raw]
    assert "text" not in raw_kinds
    assert "ping" in raw_kinds
    assert raw_kinds[-1] == "message_stop"

    count = client.messages.count_tokens(model="m", messages=USER)
    assert count.input_tokens == message.usage.input_tokens


def test_models_pages_are_plain_iterators(client: Client) -> None:
    page = client.models.list(limit=4)
    assert isinstance(page, SyncPage)
    assert len(page.data) == 4
    assert page.has_more
    every = list(client.models.list(limit=4))
    assert [m.id for m in every[:4]] == [m.id for m in page.data]
    assert len(every) > 4
    pages = list(page.iter_pages())
    assert [m.id for p in pages for m in p.data] == [m.id for m in every]
    second = page.get_next_page()
    assert second is not None
    assert second.data[0].id == every[4].id
    assert client.models.retrieve(every[0].id).id == every[0].id
    with pytest.raises(NotFoundError) as info:
        client.models.retrieve("no-such-model")
    assert info.value.response.status_code == 404
    assert info.value.request.url.path.endswith("/no-such-model")


def test_batches_end_to_end(client: Client) -> None:
    requests: Any = [
        {"custom_id": f"q-{i}", "params": {"model": "m", "max_tokens": 20, "messages": USER}}
        for i in range(3)
    ]
    batch = client.messages.batches.create(requests=requests)
    seen: list[int] = []
    ended = client.messages.batches.wait(
        batch.id, poll_interval=0.02, on_progress=lambda counts: seen.append(counts.succeeded)
    )
    assert ended.processing_status == "ended"
    assert seen
    with client.messages.batches.results(ended) as results:
        items = {item.custom_id: item.result.type for item in results}
    assert items == {"q-0": "succeeded", "q-1": "succeeded", "q-2": "succeeded"}
    assert batch.id in [b.id for b in client.messages.batches.list()]
    raw = client.messages.batches.with_raw_response.retrieve(batch.id)
    assert raw.status_code == 200
    assert raw.parse().id == batch.id
    assert client.messages.batches.delete(batch.id).id == batch.id


def test_with_raw_response(client: Client) -> None:
    raw = client.messages.with_raw_response.create(model="m", max_tokens=5, messages=USER)
    assert raw.status_code == 200
    assert raw.parse().content[0].text == "You said: Hello there"  # type: ignore[union-attr]
    first = client.models.with_raw_response.list(limit=2)
    assert len(first.parse().data) == 2


def test_not_given_and_omit_mean_absent(client: Client, server: FakeServer) -> None:
    client.messages.create(  # type: ignore[call-overload]
        model="m",
        max_tokens=5,
        messages=USER,
        temperature=NOT_GIVEN,
        system=omit,
        timeout=NOT_GIVEN,
    )
    body = server.requests[-1].json
    assert body is not None
    assert "temperature" not in body
    assert "system" not in body
    page = client.models.list(limit=NOT_GIVEN)  # type: ignore[arg-type]
    assert "limit" not in server.requests[-1].query
    assert page.data
    with Client(base_url=server.url, api_key="test", timeout=NOT_GIVEN) as other:  # type: ignore[arg-type]
        assert other.timeout == aioanthropic.DEFAULT_TIMEOUT


def test_copy_shares_the_loop_and_pool_and_default_query(
    client: Client, server: FakeServer
) -> None:
    copy = client.with_options(max_retries=0, default_query={"tenant": "a"})
    assert copy.max_retries == 0
    assert client.max_retries == 2
    assert copy.async_client._http is client.async_client._http
    copy.messages.create(model="m", max_tokens=5, messages=USER)
    assert server.requests[-1].query == "tenant=a"
    copy.close()  # closes nothing shared
    assert client.messages.create(model="m", max_tokens=5, messages=USER).content


def test_many_threads_share_one_client(client: Client, server: FakeServer) -> None:
    n_threads, per_thread = 16, 8
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            for j in range(per_thread):
                text = f"thread {i} call {j}"
                if j % 2:
                    message = client.messages.create(
                        model="m", max_tokens=50, messages=[{"role": "user", "content": text}]
                    )
                else:
                    with client.messages.stream(
                        model="m", max_tokens=50, messages=[{"role": "user", "content": text}]
                    ) as stream:
                        message = stream.get_final_message()
                got = message.content[0].text  # type: ignore[union-attr]
                with lock:
                    results.append(got)
                assert got == f"You said: {text}"
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(results) == n_threads * per_thread == len(set(results))
    assert len([r for r in server.requests if r.path == "/v1/messages"]) == n_threads * per_thread


def _interrupt_after(seconds: float) -> Any:
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGALRM, handler), signal.setitimer(signal.ITIMER_REAL, seconds)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
@pytest.mark.parametrize("what", ["create", "stream"])
def test_keyboard_interrupt_cancels_the_call_and_frees_its_connection(
    server: FakeServer, what: str
) -> None:
    # One connection in the pool and a 2 s pool timeout: if the interrupted request kept its
    # connection, the next call could not get one and would fail.
    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=1), timeout=httpx.Timeout(30.0, pool=2.0)
    )
    with Client(base_url=server.url, api_key="test", http_client=http, max_retries=0) as client:
        if what == "create":
            server.enqueue(Fault(delay=30.0))
        else:
            server.enqueue(Fault(stall=30.0, stall_after=3))

        def blocking_call() -> None:
            if what == "create":
                client.messages.create(model="m", max_tokens=5, messages=USER)
            else:
                for _ in client.messages.create(
                    model="m", max_tokens=5, messages=USER, stream=True
                ):
                    pass

        previous, _ = _interrupt_after(0.5)
        try:
            with pytest.raises(KeyboardInterrupt):
                blocking_call()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        message = client.messages.create(model="m", max_tokens=50, messages=USER)
        assert message.content[0].text == "You said: Hello there"  # type: ignore[union-attr]
        client._loop.call(http.aclose)  # a passed-in pool is ours to close, on its loop
    if what == "stream":
        for _ in range(500):  # the server notices the abandoned stream
            if server.disconnects:
                break
            time.sleep(0.01)
        assert server.disconnects == 1


def test_a_call_from_the_loop_thread_raises_instead_of_deadlocking(client: Client) -> None:
    batch = client.messages.batches.create(
        requests=[{"custom_id": "a", "params": {"model": "m", "max_tokens": 5, "messages": USER}}]
    )

    def progress(counts: Any) -> None:
        client.models.retrieve("claude-fake-opus-5-20250329")

    with pytest.raises(RuntimeError, match="own event loop thread"):
        client.messages.batches.wait(batch.id, poll_interval=0.02, on_progress=progress)
    assert client.models.retrieve("claude-fake-opus-5-20250329").id  # still usable


def test_works_where_an_event_loop_already_runs(server: FakeServer) -> None:
    # As in Jupyter: the calling thread runs an asyncio loop; the client's loop is its own.
    async def notebook_cell() -> str:
        with Client(base_url=server.url, api_key="test") as client:
            message = client.messages.create(model="m", max_tokens=50, messages=USER)
            return message.content[0].text  # type: ignore[union-attr]

    assert asyncio.run(notebook_cell()) == "You said: Hello there"


def test_close_stops_the_loop_thread_and_later_calls_fail_clearly(server: FakeServer) -> None:
    before = len(loop_threads())
    client = Client(base_url=server.url, api_key="test")
    assert len(loop_threads()) == before + 1
    client.messages.create(model="m", max_tokens=5, messages=USER)
    client.close()
    client.close()  # idempotent
    assert len(loop_threads()) == before
    with pytest.raises(RuntimeError, match="closed"):
        client.messages.create(model="m", max_tokens=5, messages=USER)


def test_close_runs_the_async_close_on_the_loop_and_is_a_no_op_once_the_client_closed(
    server: FakeServer,
) -> None:
    client = Client(base_url=server.url, api_key="test")
    # 100 words, an event every 0.2 s: the whole stream would take over 20 s. Leaving the
    # block after the first event must end it on the server (which counts it open until
    # then) well before that.
    long: list[MessageParam] = [{"role": "user", "content": " ".join(["word"] * 100)}]
    server.enqueue(Fault(drip=0.2))
    stream = client.messages.create(model="m", max_tokens=500, messages=long, stream=True)
    with stream as entered:
        assert entered is stream
        assert next(stream).type == "message_start"
        assert server.open_streams == 1
    assert open_streams_settled(server) == 0

    server.enqueue(Fault(drip=0.2))
    left_open = client.messages.create(model="m", max_tokens=500, messages=long, stream=True)
    next(left_open)
    results = client.messages.batches.results(server.add_synthetic_batch(3))
    client.close()
    # Their close() has no loop left to run on: it does nothing (LoopThread.call would raise).
    left_open.close()
    results.close()
    with pytest.raises(RuntimeError, match="closed"):
        list(left_open)  # reading on, once its buffered events are out, needs the loop


def test_an_unclosed_client_is_closed_when_collected(server: FakeServer) -> None:
    before = len(loop_threads())
    client = Client(base_url=server.url, api_key="test")
    client.models.list(limit=1)
    del client
    gc.collect()
    assert len(loop_threads()) == before


def test_connection_errors_carry_the_request() -> None:
    with (
        Client(base_url="http://127.0.0.1:9", api_key="test", max_retries=0) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        client.messages.create(model="m", max_tokens=5, messages=USER)
    assert info.value.request.url.port == 9
    assert info.value.body is None  # every APIError has .body, as the official ones do


def test_http_client_must_be_async() -> None:
    with httpx.Client() as sync_http, pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        Client(api_key="test", http_client=sync_http)  # type: ignore[arg-type]


def test_structured_output_parse_on_the_sync_client(client: Client) -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        population: int

    message = client.messages.parse(
        output_format=City,
        model="m",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Describe Lisbon"}],
    )
    assert isinstance(message.parsed_output, City)
    assert message.parsed_output.name


def test_sync_conversation_send_and_stream(client: Client) -> None:
    from aioanthropic import SyncConversation

    conv = SyncConversation(client, model="m", max_tokens=100, system="Be brief.")
    reply = conv.send("Hello")
    assert reply.content[0].text == "(Be brief.) You said: Hello"  # type: ignore[union-attr]
    with conv.stream("And again") as stream:
        texts = list(stream.text_stream)
    assert "".join(texts) == "(Be brief.) You said: And again"
    assert [m["role"] for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    conv.system = None
    assert conv.send("plain").content[0].text == "You said: plain"  # type: ignore[union-attr]
