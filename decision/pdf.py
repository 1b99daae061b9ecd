"""PDF rendering with WeasyPrint, reading static files from disk and never from the network.

The documents are rendered from the same templates as the web pages. The stylesheet
(static/css/print.css) is read from disk and parsed once per process; pictures are referenced
with `{% static %}`, and the fetcher below maps those URLs to files found by Django's
staticfiles finders (development, tests) or in STATIC_ROOT (after collectstatic, where the names
carry a hash). Any other URL is refused, so a PDF can never make a request.

Fonts: the site ships the font the documents use (DejaVu Sans, static/vendor/dejavu-fonts-2.37/,
declared by @font-face below), so a PDF looks the same, page breaks included, on every server,
whatever fonts it has. Without any font at all Pango crashes the worker (SIGSEGV): before the
first PDF, `unavailable_reason()` checks once per process that fontconfig can load one (the
shipped files, or else a system font); the views answer 503 instead of rendering without one, and
the system check decision.W001 says so at deploy time.
"""

from __future__ import annotations

import atexit
import functools
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.templatetags.static import static

logger = logging.getLogger(__name__)

# A base URL that can never be fetched: relative and root-relative URLs in the documents resolve
# against it and are then served from disk by StaticFileFetcher.
BASE_URL = "https://pdf.invalid/"
PAPER_SIZES = ("a4", "letter")


class FetchRefused(ValueError):
    """WeasyPrint logs a warning for this URL and leaves the resource out."""


def static_file_path(name: str) -> Path | None:
    """The file on disk for a static name (as `{% static %}` writes it), or None."""
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    try:
        stored = Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    root = Path(settings.STATIC_ROOT).resolve() if settings.STATIC_ROOT else None
    if root and stored.is_file() and stored.resolve().is_relative_to(root):
        return stored
    return None


def _weasyprint():
    # WeasyPrint takes about 0.4 s to import: only pay for it when a PDF is asked for.
    import weasyprint

    return weasyprint


def make_fetcher():
    weasyprint = _weasyprint()

    class StaticFileFetcher(weasyprint.URLFetcher):
        """Serve /static/… from disk and data: URLs inline; refuse everything else."""

        def fetch(self, url: str, headers: dict | None = None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            static_prefix = urlsplit(settings.STATIC_URL).path
            if not static_prefix.startswith("/"):
                static_prefix = "/" + static_prefix
            if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(
                static_prefix
            ):
                raise FetchRefused(f"not a static file of this site: {url}")
            path = static_file_path(unquote(parts.path[len(static_prefix) :]))
            if path is None:
                raise FetchRefused(f"static file not found: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(
                url, path.read_bytes(), {"Content-Type": content_type}
            )

    return StaticFileFetcher(allowed_protocols=("https", "data"))


STYLESHEET = "css/print.css"
# The family print.css names first, and its two weights.
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {
    "normal": "vendor/dejavu-fonts-2.37/DejaVuSans.ttf",
    "bold": "vendor/dejavu-fonts-2.37/DejaVuSans-Bold.ttf",
}


@functools.cache
def unavailable_reason() -> str | None:
    """Why this server cannot make PDFs, or None. Checked once per process (and logged once):
    WeasyPrint's libraries must load, and fontconfig must be able to load at least one font,
    one of the shipped files or else one installed on the system."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except (ImportError, OSError) as error:
        reason = f"WeasyPrint cannot load its system libraries (pango, fontconfig): {error}"
    else:
        config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
        shipped = [static_file_path(name) for name in FONT_FILES.values()]
        loaded = [
            path
            for path in shipped
            if path is not None and fontconfig.FcConfigAppFontAddFile(config, str(path).encode())
        ]
        system = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        if loaded or (system != ffi.NULL and system.nfont > 0):
            return None
        reason = (
            f"no usable font: fontconfig cannot load the shipped {FONT_FAMILY} files "
            f"({', '.join(FONT_FILES.values())}) and finds no system font"
        )
    logger.error("PDF downloads are unavailable on this server: %s", reason)
    return reason


def _font_face_css() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'src: url("{static(name)}"); }}'
        for weight, name in FONT_FILES.items()
    )


@functools.cache
def _fonts():
    """The shipped fonts, loaded once per process: (FontConfiguration, the @font-face sheet).
    Every document is laid out with this FontConfiguration, which knows them."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    # It keeps copies of the font files in a temporary folder: drop it while Python can still
    # remove that folder (at interpreter exit its clean-up code fails).
    atexit.register(_fonts.cache_clear)
    css = weasyprint.CSS(
        string=_font_face_css(),
        base_url=BASE_URL,
        url_fetcher=make_fetcher(),
        font_config=font_config,
    )
    return font_config, css


@functools.cache
def _parsed_stylesheet(path: str, modified: float):
    weasyprint = _weasyprint()
    # Its own static URL as base, so its url(../img/…) pictures resolve as in the browser.
    base_url = urljoin(BASE_URL, settings.STATIC_URL + STYLESHEET)
    return weasyprint.CSS(
        filename=path, base_url=base_url, url_fetcher=make_fetcher(), font_config=_fonts()[0]
    )


def stylesheet():
    """print.css, parsed once per process (parsing is half the time of a render)."""
    path = static_file_path(STYLESHEET)
    if path is None:
        raise FileNotFoundError(f"static file {STYLESHEET} not found")
    return _parsed_stylesheet(str(path), path.stat().st_mtime)


def render_document(html: str):
    """Lay out the HTML into pages (a weasyprint Document: `.pages`, `.write_pdf()`)."""
    weasyprint = _weasyprint()
    font_config, font_faces = _fonts()
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=make_fetcher())
    return document.render(stylesheets=[font_faces, stylesheet()], font_config=font_config)


# Tagged PDF/UA-1: the structure (headings, lists, tables, reading order) and every picture's
# text alternative reach screen readers. Decorative pictures are CSS backgrounds, which
# WeasyPrint draws as artifacts (outside the structure).
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str) -> bytes:
    return render_document(html).write_pdf(pdf_variant=PDF_VARIANT)
