"""The database named by DATABASE_URL is the one the suite runs on, and the throw-away
PostgreSQL server script works (when PostgreSQL's server binaries are installed)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

import psycopg
import pytest
from django.db import connection

from tests.security.conftest import BASE_DIR

SCRIPT = BASE_DIR / "scripts" / "pg-test-server.sh"
HAS_POSTGRES = bool(shutil.which("initdb") or glob.glob("/usr/lib/postgresql/*/bin/initdb"))


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_named_by_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"

    assert connection.vendor == expected


def script(*args: str, directory: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PGTEST_DIR": directory}
    env.pop("PGTEST_PORT", None)
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_script_explains_its_usage():
    done = script("bogus", directory=tempfile.gettempdir() + "/not-used")

    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_stopping_a_server_that_never_started_is_fine():
    done = script("stop", directory=tempfile.gettempdir() + "/eczema-pgtest-never-started")

    assert done.returncode == 0


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL server binaries not installed")
def test_the_script_starts_an_idempotent_server_with_a_createdb_role_and_stops_it():
    # Under /tmp rather than pytest's tmp_path: run as root, the postgres user must reach it.
    directory = tempfile.mkdtemp(prefix="eczema-pgtest-")
    try:
        started = script("start", directory=directory)
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("postgres://eczema:")
        assert "@127.0.0.1:" in url
        assert script("start", directory=directory).stdout.strip() == url
        assert script("url", directory=directory).stdout.strip() == url
        assert script("status", directory=directory).returncode == 0

        with psycopg.connect(url) as conn:
            role = conn.execute("SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user")
            assert role.fetchone() == (True,)
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    finally:
        stopped = script("stop", directory=directory)
    assert stopped.returncode == 0, stopped.stderr
    assert not os.path.exists(directory)
    assert script("status", directory=directory).returncode != 0
