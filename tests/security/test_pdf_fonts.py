"""PDFs fail safely: without a font, WeasyPrint's Pango kills the worker (SIGSEGV). The site
ships its font (DejaVu Sans, static/vendor/dejavu-fonts-2.37/), checks once per process that
fontconfig can load a font before the first PDF, and answers 503 with a clear page otherwise.

"No font" is simulated the way a bare server has it: fontconfig with a configuration that lists
no font directory (FONTCONFIG_FILE), in a subprocess, with and without the shipped files."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from django.core.checks import Warning as CheckWarning
from django.urls import reverse

from decision import checks, pdf
from tests.helpers import make_input
from tests.print.conftest import completed_consultation
from tests.security.conftest import BASE_DIR
from tests.security.pages import assert_security_headers

UNAVAILABLE = "PDF downloads are unavailable on this server; print from the browser instead."


def embedded_fonts(data: bytes, tmp_path) -> set[str]:
    """The fonts a PDF embeds, without their subset prefix (pdffonts, from poppler-utils)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in lines}


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="apt-get install -y poppler-utils")
def test_this_server_can_make_pdfs_with_the_shipped_font(tmp_path):
    assert pdf.unavailable_reason() is None

    data = pdf.render_pdf('<p class="pdf">Eczema <strong>Step-Up</strong></p>')

    assert embedded_fonts(data, tmp_path) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}


@pytest.fixture
def no_font(monkeypatch):
    reason = "no usable font: simulated"
    monkeypatch.setattr(pdf, "unavailable_reason", lambda: reason)

    def must_not_render(html):
        raise AssertionError("rendered a PDF without a font")

    monkeypatch.setattr(pdf, "render_pdf", must_not_render)
    return reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pdf_name", "page_name"),
    [
        ("consultation_summary_pdf", "consultation_summary"),
        ("consultation_handout_pdf", "consultation_handout"),
    ],
)
def test_without_a_font_a_pdf_download_is_a_clear_503_page(
    clinician, clinician_client, no_font, pdf_name, page_name, caplog
):
    consultation = completed_consultation(clinician, make_input())

    with caplog.at_level(logging.WARNING):
        response = clinician_client.get(reverse(pdf_name, args=[consultation.pk]))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert UNAVAILABLE in html
    assert f'href="{reverse(page_name, args=[consultation.pk])}"' in html
    assert_security_headers(response)
    [line] = caplog.records  # the request's one log line, no traceback
    assert line.name == "django.request" and line.exc_info is None
    # The printable page itself, with its Print button, still works.
    assert clinician_client.get(reverse(page_name, args=[consultation.pk])).status_code == 200


def test_the_system_check_warns_without_a_font(no_font):
    [warning] = checks.pdf_font_check()

    assert isinstance(warning, CheckWarning)
    assert warning.id == "decision.W001"
    assert no_font in warning.msg


def test_the_system_check_is_quiet_with_a_font():
    assert checks.pdf_font_check() == []


# A bare server, simulated: fontconfig lists no font directory at all. ------------------------

BARE_SERVER = """
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.core.management import call_command
from decision import pdf
from tests.helpers import make_input
from tests.print.conftest import completed_consultation

if sys.argv[1] == "hide-shipped-fonts":
    pdf.FONT_FILES = {"normal": "vendor/no-such-font/missing.ttf"}
setup_test_environment()
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
user = User.objects.create_user("bare")
consultation = completed_consultation(user, make_input())
client = Client()
client.force_login(user)
response = client.get(f"/consultations/{consultation.pk}/handout.pdf")
sys.stdout.buffer.write(response.content if response.status_code == 200 else b"")
sys.stdout.flush()
print("\\n" + json.dumps({"reason": pdf.unavailable_reason(), "status": response.status_code}))
"""


def bare_server(tmp_path, mode: str) -> subprocess.CompletedProcess[bytes]:
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    ours = ("DJANGO_", "DATABASE_", "FONTCONFIG_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    env.update(
        DJANGO_SETTINGS_MODULE="eczema_site.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL="sqlite://:memory:",
        FONTCONFIG_FILE=str(config),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return subprocess.run(
        [sys.executable, "-c", BARE_SERVER, mode],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        timeout=180,
        check=False,
    )


def result_of(done: subprocess.CompletedProcess[bytes]) -> tuple[dict, bytes]:
    """The subprocess's findings and the PDF it downloaded (empty when there was none)."""
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-3000:].decode()}"
    data, _, last = done.stdout.rstrip().rpartition(b"\n")
    return json.loads(last), data


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="apt-get install -y poppler-utils")
def test_on_a_server_without_fonts_the_shipped_font_makes_the_pdf(tmp_path):
    result, data = result_of(bare_server(tmp_path, "as-shipped"))

    assert result == {"reason": None, "status": 200}
    assert embedded_fonts(data, tmp_path) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}


def test_on_a_server_without_any_font_the_download_is_a_503_and_the_worker_lives(tmp_path):
    done = bare_server(tmp_path, "hide-shipped-fonts")

    result, data = result_of(done)  # exit 0: no SIGSEGV
    assert (result["status"], data) == (503, b"")
    assert result["reason"].startswith("no usable font")
    assert b"PDF downloads are unavailable on this server: no usable font" in done.stderr
