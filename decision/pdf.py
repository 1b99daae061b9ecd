"""PDF rendering with WeasyPrint, reading static files from disk and never from the network.

The documents are rendered from the same templates as the web pages. The stylesheet
(static/css/print.css) is read from disk and parsed once per process; pictures are referenced
with `{% static %}`, and the fetcher below maps those URLs to files found by Django's
staticfiles finders (development, tests) or in STATIC_ROOT (after collectstatic, where the names
carry a hash). Any other URL is refused, so a PDF can never make a request.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

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


@functools.cache
def _parsed_stylesheet(path: str, modified: float):
    weasyprint = _weasyprint()
    return weasyprint.CSS(filename=path, base_url=BASE_URL, url_fetcher=make_fetcher())


def stylesheet():
    """print.css, parsed once per process (parsing is half the time of a render)."""
    path = static_file_path(STYLESHEET)
    if path is None:
        raise FileNotFoundError(f"static file {STYLESHEET} not found")
    return _parsed_stylesheet(str(path), path.stat().st_mtime)


def render_document(html: str):
    """Lay out the HTML into pages (a weasyprint Document: `.pages`, `.write_pdf()`)."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=make_fetcher())
    return document.render(stylesheets=[stylesheet()])


def render_pdf(html: str) -> bytes:
    return render_document(html).write_pdf()
