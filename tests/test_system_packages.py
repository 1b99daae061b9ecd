"""The run's last line names the system packages whose absence skipped tests, and how to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.system_packages import INSTALL_COMMAND, skip_reason, summary_line

ROOT = Path(__file__).resolve().parents[1]

SUITE = f"""
import pytest

@pytest.mark.skip(reason={skip_reason("Chromium not found", "chromium")!r})
def test_browser_a(): pass

@pytest.mark.skip(reason={skip_reason("Chromium not found", "chromium")!r})
def test_browser_b(): pass

@pytest.mark.skip(reason={skip_reason("msgfmt not installed", "gettext")!r})
def test_translation(): pass

@pytest.mark.skip(reason="not about packages")
def test_other(): pass

def test_passes(): pass
"""


@pytest.fixture
def run(pytester, monkeypatch):
    """Run pytest in a subprocess with only this plugin (so the last line is the real last line)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return lambda: pytester.runpytest_subprocess("-p", "tests.system_packages")


def test_a_run_with_package_skips_ends_with_one_line_naming_them_and_the_install_command(
    pytester, run
):
    pytester.makepyfile(SUITE)
    result = run()
    result.assert_outcomes(passed=1, skipped=4)
    last = result.outlines[-1]
    assert last == (
        "SKIPPED 3 tests for want of system packages: chromium (2), gettext (1). "
        f"Install them with: {INSTALL_COMMAND}"
    )


def test_a_run_without_package_skips_ends_with_pytests_own_summary(pytester, run):
    pytester.makepyfile("def test_passes(): pass\n")
    result = run()
    result.assert_outcomes(passed=1)
    assert "passed" in result.outlines[-1]
    assert "system packages" not in result.stdout.str()


def test_other_skip_reasons_make_no_line():
    assert summary_line(["Skipped: not about packages", "Skipped: PostgreSQL absent"]) is None
    assert summary_line([f"Skipped: {skip_reason('x', 'poppler-utils')}"]) == (
        f"SKIPPED 1 test for want of system packages: poppler-utils (1). "
        f"Install them with: {INSTALL_COMMAND}"
    )
