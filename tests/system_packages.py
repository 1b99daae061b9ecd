"""The last line of a test run says which skips a missing Debian package caused and how to fix it.

A test that needs a system package skips with a reason naming it as `system package: NAME`
(`skip_reason`). Without this line, a fresh machine's run ends "… passed, 56 skipped" and only
the long per-test list above says why. `make test` installs the packages itself when it runs as
root or with password-less sudo; this line is for everyone else.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

INSTALL_COMMAND = "sudo scripts/install-system-deps.sh"
_PACKAGE = re.compile(r"system package: ([\w.+-]+)")


def skip_reason(what: str, package: str) -> str:
    """The reason for a skip caused by a missing Debian package, in the form this line counts."""
    return f"{what} (system package: {package}; install with `{INSTALL_COMMAND}`)"


def summary_line(reasons: list[str]) -> str | None:
    """One line: how many tests each missing package skipped, and the one command to install."""
    packages = Counter(match[1] for reason in reasons if (match := _PACKAGE.search(reason)))
    if not packages:
        return None
    listed = ", ".join(f"{name} ({count})" for name, count in sorted(packages.items()))
    total = sum(packages.values())
    return (
        f"SKIPPED {total} test{'s' if total != 1 else ''} for want of system packages: "
        f"{listed}. Install them with: {INSTALL_COMMAND}"
    )


def _skip_reason(report: pytest.TestReport) -> str:
    # A skip's longrepr is (path, line, "Skipped: reason").
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # After pytest's own "N passed, M skipped" line, so that this is the run's last line.
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    line = summary_line([_skip_reason(report) for report in reporter.stats.get("skipped", [])])
    if line:
        reporter.write_line(line, yellow=True, bold=True)
