"""Every HTML page the site serves during a browser test is checked by the Nu HTML Checker.

The checker is `vnu.jar` from the npm package `vnu-jar` (pinned in package.json; `make setup`
installs it into node_modules/) run on Java. It runs once per test session as a local HTTP
service on 127.0.0.1 (starting the JVM per page would cost seconds each), and each page is sent
to it as served: the live server records every full HTML document it answers (`ServedPages`),
error pages and answers to POSTs included, not the DOM after scripts ran.

Accepted: htmx's `hx-*` attributes (not in the HTML standard; htmx reads them) and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# htmx attributes are not HTML; they are the one thing the checker's errors may name.
ALLOWED = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9]+” at this point\.$")
# Per-request values that make otherwise identical pages differ (CSRF tokens).
_VOLATILE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"|("X-CSRFToken": ")[^"]*"')


def missing() -> str | None:
    """Why the checker cannot run here (the system package to install), or None."""
    if not shutil.which("java"):
        return "java not found (system package: default-jre-headless)"
    if not VNU_JAR.is_file():
        # `make setup` installs it with npm; npm is the missing piece when it did not.
        return f"{VNU_JAR.relative_to(ROOT)} not found: run `make setup` (system package: npm)"
    return None


@dataclass
class ServedPages:
    """The full HTML documents the live server answered, in order (path, status, body)."""

    pages: list[tuple[str, int, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, application):
        def recording(environ, start_response):
            seen: dict[str, object] = {}

            def start(status, headers, exc_info=None):
                seen["status"] = int(status.split()[0])
                seen["html"] = any(
                    name.lower() == "content-type" and value.startswith("text/html")
                    for name, value in headers
                )
                return start_response(status, headers, exc_info)

            body = application(environ, start)
            if not seen.get("html"):
                return body
            content = b"".join(body)
            if hasattr(body, "close"):
                body.close()
            # Only whole documents: htmx's partial answers are fragments of a page.
            if content.lstrip()[:15].lower() == b"<!doctype html>":
                path = environ.get("PATH_INFO", "")
                if environ.get("QUERY_STRING"):
                    path += "?" + environ["QUERY_STRING"]
                with self.lock:
                    self.pages.append((path, seen["status"], content))
            return [content]

        return recording

    def take(self) -> list[tuple[str, int, bytes]]:
        with self.lock:
            pages, self.pages = self.pages, []
        return pages


class Checker:
    """The Nu HTML Checker as a local service: `errors(html)` lists what it finds."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                "java",
                "-cp",
                str(VNU_JAR),
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.checked: set[str] = set()
        self._wait_until_ready()

    def _wait_until_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Nu HTML Checker stopped while starting")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError("the Nu HTML Checker did not start")

    def errors(self, html: bytes) -> list[str]:
        """The checker's errors for this document, less the allowed ones; [] if seen before."""
        digest = hashlib.sha256(_VOLATILE.sub(rb"\1\2", html)).hexdigest()
        if digest in self.checked:
            return []
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json",
            data=html,
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        errors = [
            f"line {message.get('lastLine')}: {message['message']} [{message.get('extract', '')}]"
            for message in messages
            if message["type"] in ("error", "non-document-error")
            and not ALLOWED.match(message["message"])
        ]
        if not errors:
            self.checked.add(digest)
        return errors

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def required() -> bool:
    return os.environ.get("BROWSER_TESTS_REQUIRED", "") not in ("", "0")
