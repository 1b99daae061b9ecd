"""axe-core in the page: inject the vendored copy and collect serious and critical violations.

axe-core 4.14.1 (npm `axe-core`, MPL-2.0; licence files beside it) is vendored under
vendor/axe-core-<version>/. The site's strict CSP blocks injected <script> tags, so the source is
evaluated in the page through the DevTools protocol (page.evaluate), which CSP does not govern.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).resolve().parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Page) -> dict[str, Any]:
    """axe.run on the whole document (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return {version: axe.version, violations: results.violations};
        }"""
    )


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    results = run_axe(page)
    assert results["version"] == AXE_VERSION
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(name: str, violations: list[dict[str, Any]]) -> str:
    """A readable report: rule, impact, help and the offending elements."""
    lines = [f"{name}:"]
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"      {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


class AxeAudit:
    """Collects axe results page by page; assert_clean() fails with every violation listed."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.failures: list[str] = []

    def check(self, page: Page, name: str) -> None:
        self.pages.append(name)
        violations = blocking_violations(page)
        if violations:
            self.failures.append(describe(f"{name} ({page.url})", violations))

    def assert_clean(self) -> None:
        assert not self.failures, (
            f"axe-core {AXE_VERSION}: serious or critical violations on "
            f"{len(self.failures)} of {len(self.pages)} pages\n" + "\n".join(self.failures)
        )
