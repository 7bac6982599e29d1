"""The chat page (`aioanthropic web`) in headless Chromium, driven through chromedriver.

What runs for real: Chromium (Debian's package) loads the page from `aioanthropic web` (uvicorn,
a subprocess), whose /api/chat streams from the fake server over loopback HTTP. Checked: the
fake server's reply appears in the DOM and the history goes with the next message; Stop
cancels the fetch and the fake server sees the disconnect; a mid-stream error is shown
readably with the text that came before it; the ES module reads SSE in the browser too.
Skipped, with the reason, only where Chromium or chromedriver is missing (.ci/run installs
them).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest

from aioanthropic.testing import FakeServer, Fault
from web_helpers import open_streams_settled, running_web

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="no browser: install the Debian packages chromium and chromium-driver "
    "(.ci/run does, as root)",
)
STREAMS = Path(__file__).parent / "fixtures" / "streams"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=900,700",
]
T = TypeVar("T")


def start_browser(profile: str) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServer]:
    with FakeServer(api_key="test-key") as server:
        yield server


@pytest.fixture(scope="module")
def page_url(fake: FakeServer) -> Iterator[str]:
    with running_web(fake.url) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with tempfile.TemporaryDirectory(prefix="aioanthropic-chromium-") as profile:
        driver = start_browser(profile)
        try:
            yield driver
        finally:
            driver.quit()


def wait(driver: Any, condition: Callable[[Any], T], timeout: float = 15) -> T:
    result: T = WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)
    return result


def state(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").get_attribute("data-state"))


def assistant_texts(driver: Any) -> list[str]:
    turns = driver.find_elements(By.CSS_SELECTOR, ".turn.assistant .text")
    return [turn.text for turn in turns]


def test_the_fake_servers_reply_appears_and_the_history_goes_along(
    fake: FakeServer, page_url: str, browser: Any
) -> None:
    before = len(fake.requests)
    browser.get(page_url + "?prompt=" + quote("Hello from Chromium"))
    wait(browser, lambda d: state(d) == "done")
    assert assistant_texts(browser) == ["You said: Hello from Chromium"]
    assert "end_turn" in browser.find_element(By.CSS_SELECTOR, ".turn.assistant .meta").text

    prompt = browser.find_element(By.ID, "prompt")
    prompt.send_keys("And a second one", Keys.ENTER)
    wait(browser, lambda d: state(d) == "done" and len(assistant_texts(d)) == 2)
    assert assistant_texts(browser)[1] == "You said: And a second one"
    users = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".turn.user")]
    assert users == ["Hello from Chromium", "And a second one"]
    sent = fake.requests[-1].json
    assert sent is not None
    assert len(fake.requests) == before + 2
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]
    assert sent["messages"][1]["content"][0]["text"] == "You said: Hello from Chromium"


def test_stop_cancels_and_the_fake_server_sees_the_disconnect(
    fake: FakeServer, page_url: str, browser: Any
) -> None:
    disconnects = fake.disconnects
    fake.enqueue(Fault(drip=0.15))  # ~50 events: 7 s unless stopped
    words = " ".join(f"word{i}" for i in range(45))
    browser.get(page_url + "?prompt=" + quote(words))
    wait(browser, lambda d: assistant_texts(d) and assistant_texts(d)[0].startswith("You said:"))
    assert state(browser) == "streaming"
    browser.find_element(By.ID, "stop").click()
    wait(browser, lambda d: state(d) == "stopped")

    deadline = time.monotonic() + 10
    while fake.disconnects == disconnects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.disconnects == disconnects + 1
    assert open_streams_settled(fake) == 0
    shown = assistant_texts(browser)[0]
    full = "You said: " + words
    assert full.startswith(shown)
    assert len(shown) < len(full)
    turn = browser.find_element(By.CSS_SELECTOR, ".turn.assistant")
    assert turn.get_attribute("data-state") == "stopped"
    assert browser.find_element(By.ID, "stop").get_attribute("disabled") is not None
    assert browser.find_element(By.ID, "send").get_attribute("disabled") is None


def test_an_error_is_shown_readably_after_the_text_that_came(
    fake: FakeServer, page_url: str, browser: Any
) -> None:
    fake.enqueue(
        Fault(error_after=4, error_type="overloaded_error", error_message="The fake is busy")
    )
    browser.get(page_url + "?prompt=" + quote("Will this work"))
    wait(browser, lambda d: state(d) == "error")
    error = browser.find_element(By.CSS_SELECTOR, ".turn.assistant .error").text
    assert error.startswith("overloaded_error: ")
    assert "The fake is busy" in error
    assert assistant_texts(browser) == ["You said: "]  # the delta before the error stays


def test_the_es_module_reads_sse_from_a_fetch_body_in_the_browser(
    page_url: str, browser: Any
) -> None:
    browser.get(page_url)
    raw = (STREAMS / "thinking_signature_text.sse").read_text()
    message = browser.execute_async_script(
        """
        const [raw, done] = arguments;
        import("./static/anthropic-stream.js").then(async (module) => {
          const bytes = new TextEncoder().encode(raw);
          const body = new ReadableStream({ start(c) {
            for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
            c.close();
          }});
          const response = new Response(body, { headers: { "content-type": "text/event-stream" } });
          done(await module.readMessageStream(response));
        }).catch((error) => done({ error: String(error) }));
        """,
        raw,
    )
    assert [block["type"] for block in message["content"]] == [
        "thinking",
        "redacted_thinking",
        "text",
    ]
    assert message["content"][0]["thinking"].startswith("Let me add ")
    assert message["stop_reason"] == "end_turn"
    assert json.dumps(message)  # a plain JSON value came back, not an error
