"""The engine is pure Python: importing and running it loads no Django module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_package_imports_no_django_module():
    code = (
        "import sys, json\n"
        "import decision.engine as e\n"
        "from decision.engine import cli, handout, knowledge, rules\n"
        "v = json.load(open('tests/data/vignettes.json'))\n"
        "[e.evaluate(e.parse_assessment(c['input'])) for c in v]\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_engine_source_has_no_django_import_statement():
    for path in (ROOT / "decision" / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path
