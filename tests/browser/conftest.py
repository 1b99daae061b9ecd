"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live_server.

- The browser is Debian's /usr/bin/chromium (apt), never one downloaded by `playwright install`.
  Without it every test here is skipped with a message that says how to install it.
- The live server runs in a thread of this process while Playwright's sync API keeps an event loop
  running in the main thread, so Django's async-safety guard must be off for the test process
  (DJANGO_ALLOW_ASYNC_UNSAFE). It only disables that guard; nothing here is async.
- live_server implies a transactional database (flushed after each test); pytest-django runs these
  tests after the ordinary `db` ones, so the two kinds do not interfere.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from pytest_django.live_server_helper import LiveServer

from decision import roles
from tests.browser import html_validator
from tests.system_packages import skip_reason

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_MESSAGE = skip_reason(f"Chromium not found at {CHROMIUM}", "chromium")
BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS = BROWSER_DIR.parents[1] / "test-artifacts" / "browser"

USERNAME = "browser-clinician"
PASSWORD = "browser-test-pass-2026"  # a throw-away test account


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every browser test (before any fixture starts) when Chromium is missing.

    CI sets BROWSER_TESTS_REQUIRED=1: there a missing browser is an error, not a silent skip.
    """
    mine = [item for item in items if BROWSER_DIR in Path(str(item.path)).parents]
    if mine and html_validator.required() and (problem := html_validator.missing()):
        raise pytest.UsageError(f"BROWSER_TESTS_REQUIRED is set but the HTML checker: {problem}")
    if chromium_available():
        return
    if mine and html_validator.required():
        raise pytest.UsageError(f"BROWSER_TESTS_REQUIRED is set but {SKIP_MESSAGE}")
    skip = pytest.mark.skip(reason=SKIP_MESSAGE)
    for item in mine:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # A laptop-sized window; British English like the site.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


class SerialWSGIServer(ThreadedWSGIServer):
    """A thread per connection, but one request at a time through Django.

    With SQLite the test database lives in memory and every server thread shares the test's one
    connection; htmx fires overlapping requests (each saving the session), which on one shared
    SQLite connection fail with "database table is locked". A real deployment has a connection per
    worker and waits on locks instead. Serialising requests keeps the browser's concurrency
    (parallel static files, aborted htmx requests) without sharing a connection concurrently.
    """

    def set_app(self, application):
        lock = threading.Lock()

        def serial(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(SERVED.wrap(serial))


# Every full HTML page the live server answers, for the HTML checker (html_validator.py).
SERVED = html_validator.ServedPages()


@pytest.fixture(scope="session")
def html_checker():
    """The Nu HTML Checker, once per session; None where it cannot run (and is not required)."""
    if html_validator.missing():
        yield None
        return
    checker = html_validator.Checker()
    yield checker
    checker.stop()


@pytest.fixture(autouse=True)
def served_pages_are_valid_html(request, html_checker):
    """After each browser test, every page it was served must be valid HTML (zero errors)."""
    SERVED.take()  # pages of an earlier test that failed before its own check
    yield
    pages = SERVED.take()
    if html_checker is None:
        return
    problems = [
        f"{path} ({status}):\n  " + "\n  ".join(errors)
        for path, status, body in pages
        if (errors := html_checker.errors(body))
    ]
    if problems:
        pytest.fail("Invalid HTML served:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live_server, with requests serialised (SerialWSGIServer)."""
    addr = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = SerialWSGIServer
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clinician_account(django_user_model):
    user = django_user_model.objects.create_user(username=USERNAME, password=PASSWORD)
    roles.grant(user, roles.CLINICIAN)
    return user


@pytest.fixture
def site_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def signed_in_page(page, site_url, clinician_account):
    """A page signed in through the real sign-in form, on "My consultations"."""
    page.set_default_timeout(10_000)
    page.goto(f"{site_url}/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site_url}/")
    return page


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
