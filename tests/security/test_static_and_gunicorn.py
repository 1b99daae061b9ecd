"""Production static files: collectstatic hashes and compresses them, WhiteNoise serves them by
their hashed names to anyone; and the documented gunicorn command serves the site."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.security.conftest import BASE_DIR, PRODUCTION_HOST, manage, production_env, run_python

pytestmark = pytest.mark.filterwarnings("ignore")

SERVE = """
from django.test import Client
import eczema_site.wsgi  # noqa: F401  (the production checks run here)
import json, re

client = Client(SERVER_NAME="example.org")
page = client.get("/accounts/login/", secure=True)
css = re.search(r'href="(/static/vendor/bootstrap[^"]+[.]css)"', page.content.decode()).group(1)
static = client.get(css, secure=True, HTTP_ACCEPT_ENCODING="br, gzip")
missing = client.get("/no-such-page/", secure=True)
print(json.dumps({
    "page": page.status_code,
    "css": css,
    "static": static.status_code,
    "encoding": static.headers.get("Content-Encoding"),
    "cache": static.headers.get("Cache-Control"),
    "missing": missing.status_code,
}))
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("staticfiles")
    env = production_env(DJANGO_STATIC_ROOT=str(root))

    done = manage("collectstatic", "--noinput", env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    return root, env


def test_collectstatic_hashes_and_compresses_every_file(collected):
    root, _env = collected
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]

    sources = {
        str(p.relative_to(BASE_DIR / "static"))
        for p in (BASE_DIR / "static").rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert sources <= set(manifest)
    for source in sources:
        hashed = manifest[source]
        assert re.search(r"\.[0-9a-f]{12}(\.|$)", hashed), hashed
        assert (root / hashed).is_file()
    app_css = manifest["css/app.css"]
    assert (root / f"{app_css}.gz").is_file()
    assert (root / f"{app_css}.br").is_file()


def test_whitenoise_serves_hashed_files_to_anyone_in_production(collected):
    _root, env = collected

    done = run_python(["-c", SERVE], env)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["page"] == 200
    assert re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css$", result["css"])
    assert result["static"] == 200  # no sign-in needed for static files
    assert result["encoding"] == "br"
    assert "immutable" in result["cache"]
    # Production logs go to standard error, with a timestamp.
    assert result["missing"] == 404
    assert re.search(
        r"^\d{4}-\d\d-\d\d .* WARNING django.request: Not Found: /no-such-page/$",
        done.stderr,
        re.MULTILINE,
    ), done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, data: bytes | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_documented_gunicorn_command_serves_the_site(collected, tmp_path):
    _root, env = collected
    port = free_port()
    env = {**env, "DJANGO_BEHIND_PROXY": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # As README.md § Running in production documents it.
    server = subprocess.Popen(
        [str(gunicorn), "eczema_site.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        proxied = {"Host": PRODUCTION_HOST, "X-Forwarded-Proto": "https"}
        for _ in range(100):
            try:
                status, headers, body = fetch(f"{base}/accounts/login/", **proxied)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")

        assert status == 200
        assert "Strict-Transport-Security" in headers
        assert "Content-Security-Policy" in headers
        css = re.search(rb'href="(/static/[^"]+\.css)"', body).group(1).decode()
        assert fetch(base + css, **proxied)[0] == 200
        # Plain HTTP (no proxy header) is sent to HTTPS; an unknown host is refused.
        http = fetch(f"{base}/accounts/login/", Host=PRODUCTION_HOST)
        assert http[0] == 301
        assert http[1]["Location"] == f"https://{PRODUCTION_HOST}/accounts/login/"
        assert fetch(f"{base}/accounts/login/", Host="evil.example")[0] == 400
        # The proxy's health check may use plain HTTP.
        health = fetch(f"{base}/healthz", Host=PRODUCTION_HOST)
        assert (health[0], health[2]) == (200, b"ok")
        # Signed-out visitors are sent to sign in.
        home = fetch(f"{base}/", **proxied)
        assert home[0] == 302
        assert home[1]["Location"].startswith("/accounts/login/?next=")
        # Hostile posts, anonymously: a charset other than UTF-8, a body over the limit
        # (multipart) and a NUL in the query string get the site's 400 page, not gunicorn's.
        utf16 = "username=a&password=b".encode("utf-16")
        form16 = "application/x-www-form-urlencoded; charset=utf-16"
        upload = b"--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n"
        upload += b"x" * 300_000 + b"\r\n--b--\r\n"
        for status, _headers, body in (
            fetch(f"{base}/accounts/login/", utf16, **proxied, **{"Content-Type": form16}),
            fetch(
                f"{base}/accounts/login/",
                upload,
                **proxied,
                **{"Content-Type": "multipart/form-data; boundary=b"},
            ),
            fetch(f"{base}/accounts/login/?next=%00", **proxied),
        ):
            assert status == 400
            assert b"The request could not be understood" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_refuses_to_start_without_a_secret(tmp_path):
    env = production_env(DJANGO_SECRET_KEY=None)
    gunicorn = Path(sys.executable).with_name("gunicorn")

    done = subprocess.run(
        [str(gunicorn), "eczema_site.wsgi", "-b", f"127.0.0.1:{free_port()}", "-w", "1"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr
