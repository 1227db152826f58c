"""Real Chromium (Debian's, at /usr/bin/chromium; never a downloaded browser) driven by Playwright
against the live test server. Without Chromium these tests skip, except in CI (REQUIRE_SERVICES=1),
where a missing browser fails the build."""
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# `make screenshots` saves them for the README; otherwise they go to a temporary directory.
SCREENSHOTS = Path(os.environ["SCREENSHOTS_DIR"], "screenshots") if os.environ.get("SCREENSHOTS_DIR") \
    else Path(tempfile.gettempdir(), "casetracker-screenshots")
PASSWORD = "correct horse battery staple"  # tests/factories.py
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="package")
def chromium() -> Iterator:
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium is required here and missing at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # plain synchronous calls, one at a time, so Django's async-safety guard does not apply.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(chromium, live_server):  # noqa: ANN001, ANN201
    """A new browser (its own cookies) at a viewport, in a language; pages are closed after the test.
    Every journey also checks the Content-Security-Policy: anything the browser refused (an inline
    script or style, a third-party file) fails the test that met it."""
    contexts, refused = [], []

    def watch(page) -> None:  # noqa: ANN001
        page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)

    def make(viewport: dict = DESKTOP, locale: str = "en-US"):  # noqa: ANN202
        context = chromium.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.on("page", watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert refused == [], "the Content-Security-Policy refused:\n" + "\n".join(refused)


def sign_in(page, email: str) -> None:  # noqa: ANN001
    """Password, then the code the user's authenticator app shows (set up for them if needed)."""
    from accounts.models import User

    from ..two_factor import authenticator, fresh_code

    device = authenticator(User.objects.get(email=email))
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_label("Code").fill(fresh_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")


def screenshot(page, name: str) -> None:  # noqa: ANN001
    """Taken from fictional test data; `make screenshots` puts them in docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # sticky panes sit where a reader first sees them
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
