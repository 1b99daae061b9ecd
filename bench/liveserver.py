"""The site under gunicorn on 127.0.0.1 in production mode, and signed-in browsers' cookies: what
bench/load.py and bench/concurrency.py share. Traffic goes only to 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
# The version of the consultation a step or check page was built from, as its form posts it.
VERSION = re.compile(r'name="_version" value="(\d+)"')
# Niceness for gunicorn and the load generators (load.py --priority): negative raises their CPU
# share over other work.
PRIORITY = {"nice": 0}


def child_priority() -> None:
    """preexec_fn: run the child at the chosen niceness (raising it needs root)."""
    if PRIORITY["nice"]:
        os.nice(PRIORITY["nice"])


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """This environment without DJANGO_* settings, then production mode on loopback: a fresh
    secret key, no TLS (so no HTTPS redirect), DEBUG off, the given database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_HTTPS="0",
        DJANGO_LOG_LEVEL="ERROR",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def signed_in_session(user: Any) -> str:
    """A session key signed in as `user`, made directly in the session store (Django set up):
    the cookie is all a simulated browser needs."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def browser_headers(cookies: dict[str, str], csrf_secret: str) -> tuple[dict, dict]:
    """(GET headers, form-POST headers) of a signed-in browser. The CSRF token is the CSRF
    cookie's secret itself, which Django accepts unmasked."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    signed_in = {"Cookie": cookie, "Host": HOST}
    posting = {
        **signed_in,
        "X-CSRFToken": csrf_secret,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return signed_in, posting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by gunicorn's master and workers.

        Unlike throughput, this hardly changes when other work shares the machine, so the CPU
        cost per request compares pages with the baseline fairly even on a busy machine.
        """
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            pids += [int(pid) for pid in children.read_text().split()]
        except OSError:
            return float("nan")
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_gunicorn(env: dict[str, str], workers: int, workdir: Path) -> Server:
    port = free_port()
    log = workdir / "gunicorn.log"
    # The workers' standard error too: django.request logs every 5xx there, with its traceback.
    with log.open("ab") as output:
        process = subprocess.Popen(
            [
                GUNICORN,
                "eczema_site.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{port}",
                "--error-logfile",
                str(log),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
            start_new_session=True,
            preexec_fn=child_priority,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            status, _, _ = fetch(port, "GET", "/healthz", {})
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"gunicorn did not answer on {HOST}:{port}:\n{log.read_text()}")


def fetch(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"
