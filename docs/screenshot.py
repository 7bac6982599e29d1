"""Take docs/chat-page.png: the chat page in headless Chromium, mid-answer.

Run from the repository root: ``.venv/bin/python docs/screenshot.py`` (needs Debian's chromium
and chromium-driver, and the test extra for selenium). The page talks to a fake server that
this script slows down for the last answer, so that the picture shows text arriving and the
Stop button live.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from aioanthropic.testing import FakeServer, Fault  # noqa: E402
from web_helpers import running_web  # noqa: E402

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=900,760",
    "--hide-scrollbars",
]


def main() -> None:
    with FakeServer(api_key="test-key") as fake, running_web(fake.url) as url:
        with tempfile.TemporaryDirectory() as profile:
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for flag in [*FLAGS, f"--user-data-dir={profile}"]:
                options.add_argument(flag)
            driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
            try:
                state = lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state")  # noqa: E731
                driver.get(url + "?prompt=" + quote("Hello! Can you hear me from the browser?"))
                WebDriverWait(driver, 15).until(lambda d: state(d) == "done")
                driver.find_element(By.ID, "system").send_keys("Answer like a pirate")
                prompt = driver.find_element(By.ID, "prompt")
                prompt.send_keys("Stream me a long answer about event streams", Keys.ENTER)
                WebDriverWait(driver, 15).until(lambda d: state(d) == "done")
                fake.enqueue(Fault(drip=0.25))
                prompt.send_keys(
                    "Now a slow one: every word of this reply arrives a quarter of a second "
                    "after the last, so there is time to press Stop",
                    Keys.ENTER,
                )
                time.sleep(3.2)
                out = ROOT / "docs" / "chat-page.png"
                driver.save_screenshot(str(out))
                print(f"wrote {out}")
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
