"""Reliability benchmark (issue 14): two-tab races and simulated clinicians against gunicorn, and
every answer the server gave checked against the database.

    .venv/bin/python bench/concurrency.py [--clinicians 20] [--seconds 60] [--races 30]
                                          [--race-share 0.25] [--pause 0.5] [--workers 4]
                                          [--update-readme]
    DATABASE_URL="$(scripts/pg-test-server.sh start)" .venv/bin/python bench/concurrency.py

1. The configured database: DATABASE_URL (PostgreSQL; the rows stay there, under users named
   "bench-concurrency-<run>-…", as completed consultations cannot be deleted) or else a
   throw-away SQLite file with the site's own settings (WAL, busy timeout, IMMEDIATE
   transactions). migrate; collectstatic (unless the collected files are up to date); users with
   the clinician role and signed-in sessions; one answered draft per race trial.
2. gunicorn in production mode on a free 127.0.0.1 port, --workers sync workers.
3. Races, with the server otherwise idle, --races trials of each, every trial on its own draft:
   (a) Complete in one tab and a step save (another severity) in the other;
   (b) two tabs saving different steps (the eczema step's severity, the treatment step's steroid
       concerns).
   Both pages are opened (GET) at the same version, then both posts are released together. The
   losing tab then submits its conflict page's one form, as the clinician would.
4. Clinicians at work: --clinicians threads for --seconds, each a clinician with their own account
   going through whole consultations as a browser does (New consultation, then each step's page
   and its save, following the redirects; the check page, Complete, the result), pausing about
   --pause seconds before each post; the four web vignettes in turn. A share (--race-share) of
   the consultations meets a two-tab race at the check page, (a) and (b) in turn. A consultation
   under way at the deadline is finished.
5. After every race trial and every consultation its record is read back from the database:
   - lost update: a save answered "saved" (302) whose answers are not stored, or a refused one
     whose conflict page's form did not store them;
   - un-completed record: a completion answered with the result whose record is not completed;
   - stale snapshot: a completed record whose engine_input and engine_output are not the engine's
     on its stored answers (the engine is run again);
   - version: the stored version is not 1 + the writes the server acknowledged;
   - race outcome: not exactly one tab saved and the other shown the conflict page (409).
   At the end every record is checked again, and every completed one of the run for staleness.

A 409 is the expected answer only for a race's losing tab. Every response is counted by status;
every 5xx, request without a response and other unexpected status is listed, with the server's
log. The exit status is 1 if any of these or any violation above occurred, so a run can gate a
release. --update-readme writes this database's column of the table under
"## Reliability benchmark".
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import re
import shutil
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# bench/ is on the path when this runs as a script.
from liveserver import (
    VERSION,
    browser_headers,
    fetch,
    machine,
    production_env,
    signed_in_session,
    start_gunicorn,
)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# The vignettes the web tests enter through the forms (tests/web/test_vignettes.py).
VIGNETTES = ("seed-ped", "seed-tcs-severe", "herpeticum-eyes", "infant-18m")
STEP = re.compile(r"^/consultations/([0-9a-f-]{36})/steps/([a-z-]+)/")
CONFLICT_HEADINGS = ("changed in another tab or window", "completed in another tab or window")
COMPLETE_VS_SAVE = "Complete ‖ step save"
TWO_SAVES = "Two step saves"
OUTCOMES = {
    COMPLETE_VS_SAVE: ("completion won", "step save won", "other"),
    TWO_SAVES: ("eczema step won", "treatment step won", "other"),
}
TRIALS, AT_WORK = "trials", "at work"
# What a check can find, in the order of the table.
LOST = "lost updates"
UNCOMPLETED = "un-completed records"
STALE = "stale snapshots"
VERSIONS = "version inconsistencies"
OUTCOME = "race outcomes other than one saved, one conflict page"
VIOLATIONS = (UNCOMPLETED, STALE, VERSIONS, OUTCOME)
SECTION = "## Reliability benchmark"
INTRO = (
    "`.venv/bin/python bench/concurrency.py --update-readme` (about a minute and a half; not part "
    "of the test suite; with `DATABASE_URL` for PostgreSQL) starts gunicorn in production mode on "
    "127.0.0.1, runs the two-tab races and then the clinicians at work, and checks in the "
    "database every record the server answered about (the script's docstring says how). A 409 "
    "is the conflict page, the expected answer to a race's losing tab; the rows in bold must be "
    "0, or the script exits with status 1. `tests/safety/test_benchmark.py` runs it in miniature "
    "(2 clinicians for 2 s, 2 trials of each race) on SQLite."
)
NOTES_MARKER = "<!-- concurrency-notes: kept when bench/concurrency.py rewrites this section -->"


# ------------------------------------------------------------------ 1: database (in-process)
def setup_django(env: dict[str, str]) -> None:
    """This process uses the site's settings and database as gunicorn will, to check records."""
    os.environ.clear()
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "eczema_site.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def collect_static() -> None:
    """collectstatic, unless STATIC_ROOT's manifest already lists every static file and is newer
    than each (it takes several seconds, and rarely has anything to do)."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:
        collected = json.loads(manifest.read_text())["paths"]
        made = manifest.stat().st_mtime
    except (OSError, ValueError, KeyError):
        collected, made = {}, 0.0
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            if path not in collected or os.path.getmtime(storage.path(path)) > made:
                call_command("collectstatic", verbosity=0, interactive=False)
                return


def prepare(run: str, clinicians: int, races: int) -> dict[str, Any]:
    """Schema, static files, users and sessions, the race drafts."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils.crypto import get_random_string

    from decision import roles
    from decision.engine import parse_assessment
    from decision.models import Consultation

    call_command("migrate", verbosity=0, interactive=False)
    collect_static()
    with connection.cursor() as cursor:
        sqlite = connection.vendor == "sqlite"
        cursor.execute("SELECT sqlite_version()" if sqlite else "SHOW server_version")
        server = f"{'SQLite' if sqlite else 'PostgreSQL'} {cursor.fetchone()[0]}"
    csrf_secret = get_random_string(32)

    def signed_in(name: str) -> tuple[Any, dict[str, str]]:
        user = get_user_model().objects.create(username=f"bench-concurrency-{run}-{name}")
        roles.grant(user, roles.CLINICIAN)
        cookies = {
            settings.SESSION_COOKIE_NAME: signed_in_session(user),
            settings.CSRF_COOKIE_NAME: csrf_secret,
        }
        return user, dict(zip(("get", "post"), browser_headers(cookies, csrf_secret), strict=True))

    racer, racer_headers = signed_in("racer")
    answers = parse_assessment(INPUTS[VIGNETTES[0]]).to_dict()
    drafts = []
    for index in range(2 * races):
        draft = Consultation(created_by=racer, patient_reference=f"RACE-{index}", answers=answers)
        draft.sync_columns()
        draft.save()
        drafts.append(str(draft.pk))
    return {
        "racer": racer_headers,
        "clinicians": [signed_in(f"clinician-{n}")[1] for n in range(clinicians)],
        "drafts": drafts,
        "database": server.split()[0],
        "server": server,
    }


def vignette_inputs() -> dict[str, dict[str, Any]]:
    from tests.helpers import vignettes

    return {
        vignette["id"]: vignette["input"] for vignette in vignettes() if vignette["id"] in VIGNETTES
    }


INPUTS: dict[str, dict[str, Any]] = {}


@functools.cache
def form_posts(case: str) -> dict[str, list[tuple[str, str]]]:
    """The vignette's six steps as the browser posts them: (name, value) pairs."""
    from tests.web.journey import POSTS

    return {
        slug: [
            (name, str(item))
            for name, value in make(INPUTS[case]).items()
            for item in (value if isinstance(value, list) else [value])
        ]
        for slug, make in POSTS.items()
    }


# ------------------------------------------------------------------ 2: what the server said
@dataclass
class Response:
    path: str  # asked for
    status: int | None  # None: no response
    location: str
    html: str

    @property
    def saved(self) -> bool:
        """A post the server acknowledged: redirected on, not back to its own page (errors)."""
        where = urllib.parse.urlsplit(self.location).path
        return self.status == 302 and where != urllib.parse.urlsplit(self.path).path

    @property
    def completed(self) -> bool:
        """A completion the server acknowledged: redirected to the result."""
        return self.saved and urllib.parse.urlsplit(self.location).path.endswith("/result/")

    @property
    def version(self) -> str:
        """The version the page was built from, as its form posts it."""
        found = VERSION.search(self.html) if self.status == 200 else None
        return found[1] if found else ""


@dataclass
class Tally:
    """Every response's status, and every one that was not expected: (status, what was asked)."""

    statuses: Counter = field(default_factory=Counter)
    unexpected: list[tuple[int | None, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | None, expected: bool, request: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if not expected:
                self.unexpected.append((status, request))

    def note(self, status: int | None, what: str) -> None:
        """An answer counted already, found wrong on a closer look."""
        with self.lock:
            self.unexpected.append((status, what))

    def server_errors(self) -> int:
        return sum(1 for status, _ in self.unexpected if status and status >= 500)


@dataclass
class Browser:
    """One signed-in browser; its tabs share its cookies (and may post at the same moment)."""

    port: int
    headers: dict[str, dict[str, str]]
    tally: Tally

    def get(self, path: str, expected: tuple[int, ...] = (200,)) -> Response:
        return self._request("GET", path, None, expected)

    def post(
        self, path: str, pairs: list[tuple[str, str]], expected: tuple[int, ...] = (302,)
    ) -> Response:
        return self._request("POST", path, urllib.parse.urlencode(pairs), expected)

    def _request(
        self, method: str, path: str, body: str | None, expected: tuple[int, ...]
    ) -> Response:
        headers = self.headers["post" if body is not None else "get"]
        try:
            status, response_headers, content = fetch(self.port, method, path, headers, body)
        except OSError as error:
            self.tally.add(None, False, f"{method} {path}: {error}")
            return Response(path, None, "", "")
        response = Response(
            path, status, response_headers.get("Location", ""), content.decode(errors="replace")
        )
        # A post redirected back to its own page was not saved: the page shows the form's errors.
        fine = status in expected and (method == "GET" or status != 302 or response.saved)
        where = f" → {response.location}" if response.location else ""
        self.tally.add(status, fine, f"{method} {path}{where}")
        return response


def conflict_form(response: Response) -> tuple[str, list[tuple[str, str]]] | None:
    """The conflict page's one form ("use my answers"), or None if this is not that page."""
    from tests.safety.pages import post_forms

    if response.status != 409 or not any(h in response.html for h in CONFLICT_HEADINGS):
        return None
    forms = post_forms(response.html)
    return (forms[0]["action"], forms[0]["fields"]) if len(forms) == 1 else None


# ------------------------------------------------------------- 3: what the database must hold
@dataclass
class Record:
    """A consultation as the server's answers describe it."""

    pk: str
    case: str
    changes: dict[str, Any] = field(default_factory=dict)  # to the vignette, acknowledged
    version: int = 1  # the insert's, plus one per acknowledged write
    completed: bool = False
    answered: bool = False  # every step saved: the answers can be compared whole

    def current(self) -> dict[str, Any]:
        return {**INPUTS[self.case], **self.changes}


@dataclass
class Audit:
    """Violations found, at most one of each kind per record: (pk, kind) → what was seen."""

    found: dict[tuple[str, str], str] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, pk: str, kind: str, seen: str) -> None:
        with self.lock:
            self.found.setdefault((pk, kind), seen)

    def count(self, kind: str) -> int:
        return sum(found == kind for _, found in self.found)

    def check(self, record: Record) -> None:
        """The stored record against what the server acknowledged about it."""
        from decision.engine import AssessmentError, parse_assessment
        from decision.models import Consultation

        with self.lock:
            self.records[record.pk] = record
        row = Consultation.objects.get(pk=record.pk)
        if row.version != record.version:
            self.problem(
                record.pk, VERSIONS, f"version {row.version}, acknowledged {record.version}"
            )
        if record.completed and not row.is_completed:
            self.problem(record.pk, UNCOMPLETED, f"completion acknowledged, status {row.status}")
        if record.answered:
            try:
                stored = parse_assessment(row.engine_input_from_answers()).to_dict()
            except AssessmentError as error:
                stored = {"the answers": str(error)}
            expected = as_stored(record.current())
            lost = sorted(
                key
                for key in expected.keys() | stored.keys()
                if expected.get(key) != stored.get(key)
            )
            if lost:
                self.problem(record.pk, LOST, f"acknowledged answers not stored: {lost}")
        if row.is_completed:
            self.snapshot(row)

    def snapshot(self, row: Any) -> None:
        """A completed record's snapshot is the engine's on its stored answers."""
        from decision.engine import AssessmentError, evaluate, parse_assessment

        try:
            assessment = parse_assessment(row.engine_input_from_answers())
        except AssessmentError as error:
            self.problem(str(row.pk), STALE, f"stored answers do not parse: {error}")
            return
        if row.engine_input != assessment.to_dict():
            self.problem(str(row.pk), STALE, "engine_input is not the stored answers")
        elif row.engine_output != evaluate(assessment).to_dict():
            self.problem(str(row.pk), STALE, "engine_output is not the engine's")

    def sweep(self, run: str) -> int:
        """Every record again, and every completed consultation of the run; how many."""
        from decision.models import Consultation

        for record in list(self.records.values()):
            self.check(record)
        mine = Consultation.objects.filter(
            created_by__username__startswith=f"bench-concurrency-{run}-"
        )
        for row in mine.completed().iterator():
            self.snapshot(row)
        return mine.count()


def as_stored(data: dict[str, Any]) -> dict[str, Any]:
    """The engine input the questionnaire stores for these answers: sites in the page's order."""
    from decision.engine import SITES, parse_assessment

    sites = [site for site in SITES if site in data["sites"]]
    return parse_assessment({**data, "sites": sites}).to_dict()


# ----------------------------------------------------------------------------- 4: two tabs
def step(pk: str, slug: str) -> str:
    return f"/consultations/{pk}/steps/{slug}/"


def at_once(*requests: Callable[[], Response]) -> list[Response]:
    """Send the requests from threads released together (two tabs, one click each)."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(index: int, request: Callable[[], Response]) -> None:
        barrier.wait()
        results[index] = request()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@dataclass
class Edit:
    """One tab's save in a race: its step, its posted pairs and the change it makes."""

    slug: str
    pairs: list[tuple[str, str]]
    change: dict[str, Any]


def edits(record: Record, posts: dict[str, list[tuple[str, str]]]) -> tuple[Edit, Edit]:
    """Another severity on the eczema step; the steroid concerns flipped on the treatment step."""
    now = record.current()
    severity = "moderate" if now["severity"] == "severe" else "severe"
    eczema = [(k, severity if k == "severity" else v) for k, v in posts["eczema"]]
    concerns = not now.get("steroid_concerns")
    treatment = [pair for pair in posts["treatment"] if pair[0] != "steroid_concerns"]
    if concerns:
        treatment.append(("steroid_concerns", "on"))
    return (
        Edit("eczema", eczema, {"severity": severity}),
        Edit("treatment", treatment, {"steroid_concerns": concerns}),
    )


class Races:
    """Two-tab races on answered drafts, each checked against the database at once."""

    def __init__(self, audit: Audit) -> None:
        self.audit = audit
        self.outcomes: Counter = Counter()  # (phase, race, outcome)
        self.phase = TRIALS
        self.lock = threading.Lock()

    def _outcome(self, race: str, outcome: str) -> None:
        with self.lock:
            self.outcomes[self.phase, race, outcome] += 1

    def _opened(self, tab: Browser, record: Record, slug: str) -> str:
        version = tab.get(step(record.pk, slug)).version
        if version != str(record.version):
            self.audit.problem(
                record.pk,
                VERSIONS,
                f"{slug} page at version {version!r}, acknowledged {record.version}",
            )
        return version

    def _reapply(self, tab: Browser, record: Record, refused: Response) -> Response | None:
        """The losing tab submits its conflict page's form (after reading it)."""
        form = conflict_form(refused)
        if form is None:
            self.audit.problem(record.pk, OUTCOME, f"{refused.status} without the form")
            return None
        action, fields = form
        return tab.post(action, fields)

    def complete_vs_save(self, tab: Browser, record: Record, posts: dict) -> None:
        """(a) Complete in one tab, a step save in the other, both from the same version."""
        edit = edits(record, posts)[0]
        check = self._opened(tab, record, "check")
        page = self._opened(tab, record, edit.slug)
        completion, saved = at_once(
            lambda: tab.post(step(record.pk, "check"), [("_version", check)], (302, 409)),
            save(tab, record, edit, page),
        )
        if completion.completed:
            record.version += 1
            record.completed = True
        if saved.saved:
            record.version += 1
            record.changes.update(edit.change)
        if completion.completed and saved.status == 409:
            self._outcome(COMPLETE_VS_SAVE, "completion won")
            # The step's answers go onto a new draft copied from the completed record.
            copied = self._reapply(tab, record, saved)
            if copied is not None:
                self._copy_holds(record, copied, edit)
        elif completion.status == 409 and saved.saved:
            self._outcome(COMPLETE_VS_SAVE, "step save won")
            # Complete the answers as they are now, once seen.
            if (done := self._reapply(tab, record, completion)) and done.completed:
                record.version += 1
                record.completed = True
        else:
            self._outcome(COMPLETE_VS_SAVE, "other")
            statuses = (completion.status, saved.status)
            self.audit.problem(record.pk, OUTCOME, f"complete, save: {statuses}")
        self.audit.check(record)

    def _copy_holds(self, record: Record, copied: Response, edit: Edit) -> None:
        from decision.models import Consultation

        found = STEP.match(copied.location)
        copy = Consultation.objects.filter(pk=found[1]).first() if found else None
        if copy is None or str(copy.copied_from_id) != record.pk:
            self.audit.problem(record.pk, LOST, f"no copy for the refused step ({copied.status})")
        elif any(copy.answers.get(k) != v for k, v in edit.change.items()):
            self.audit.problem(record.pk, LOST, f"the copy lacks the refused step's {edit.change}")
        elif copy.version != 2:  # made, then the step saved onto it
            self.audit.problem(record.pk, VERSIONS, f"the copy is at version {copy.version}")

    def two_saves(self, tab: Browser, record: Record, posts: dict) -> None:
        """(b) Two tabs saving different steps, both from the same version."""
        both = edits(record, posts)
        pages = [self._opened(tab, record, edit.slug) for edit in both]
        responses = at_once(*(save(tab, record, e, p) for e, p in zip(both, pages, strict=True)))
        saved = [edit for edit, response in zip(both, responses, strict=True) if response.saved]
        refused = [(e, r) for e, r in zip(both, responses, strict=True) if r.status == 409]
        for edit in saved:
            record.version += 1
            record.changes.update(edit.change)
        if len(saved) == 1 and len(refused) == 1:
            self._outcome(TWO_SAVES, f"{saved[0].slug} step won")
            # One click on the conflict page stores the losing tab's answers too.
            edit, response = refused[0]
            kept = self._reapply(tab, record, response)
            if kept is not None and kept.saved:
                record.version += 1
                record.changes.update(edit.change)
        else:
            self._outcome(TWO_SAVES, "other")
            statuses = [response.status for response in responses]
            self.audit.problem(record.pk, OUTCOME, f"two saves: {statuses}")
        self.audit.check(record)


def save(tab: Browser, record: Record, edit: Edit, version: str) -> Callable[[], Response]:
    """A tab's click on Save: its step's answers, with the version its page was built from."""
    pairs = [*edit.pairs, ("_version", version)]
    return lambda: tab.post(step(record.pk, edit.slug), pairs, (302, 409))


def race_trials(tab: Browser, drafts: list[str], trials: int, races: Races) -> None:
    posts = form_posts(VIGNETTES[0])
    for index, pk in enumerate(drafts):
        record = Record(pk, VIGNETTES[0], answered=True)
        race = races.complete_vs_save if index < trials else races.two_saves
        race(tab, record, posts)


# ------------------------------------------------------------------------ 5: clinicians at work
def consultation(
    browser: Browser,
    case: str,
    reference: str,
    think: Callable[[], None],
    race: Callable | None,
    audit: Audit,
) -> bool:
    """One whole consultation as a browser goes through it; True if it was completed."""
    posts = form_posts(case)
    new = browser.get("/consultations/new/", (302,))  # to a page with a one-time draft token
    if new.status != 302 or browser.get(new.location).status != 200:
        return False
    think()
    patient = [pair for pair in posts["patient"] if pair[0] != "patient_reference"]
    saved = browser.post(new.location, [*patient, ("patient_reference", reference)])
    found = STEP.match(saved.location)
    if not saved.saved or not found:
        return False
    record = Record(found[1], case)
    while found and found[2] != "check":
        page = browser.get(saved.location)
        think()
        saved = browser.post(saved.location, [*posts[found[2]], ("_version", page.version)])
        if not saved.saved:
            audit.check(record)
            return False
        record.version += 1
        found = STEP.match(saved.location)
    if not found:
        browser.tally.note(saved.status, f"a step's save led to {saved.location!r}")
        audit.check(record)
        return False
    record.answered = True
    if race is not None:
        race(browser, record, posts)
    if not record.completed:
        check = browser.get(step(record.pk, "check"))
        think()
        done = browser.post(step(record.pk, "check"), [("_version", check.version)])
        if done.completed:
            record.version += 1
            record.completed = True
    if record.completed:
        browser.get(f"/consultations/{record.pk}/result/")
    audit.check(record)
    return record.completed


@dataclass
class Work:
    completed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def clinician(
    browser: Browser,
    number: int,
    deadline: float,
    args: argparse.Namespace,
    races: Races,
    work: Work,
) -> None:
    """Whole consultations, one after another, until the deadline."""
    from django.db import connections

    rng = random.Random(number)
    kinds = (races.complete_vs_save, races.two_saves)
    try:
        for turn in range(sys.maxsize):
            if time.monotonic() >= deadline:
                return
            race = kinds[(number + turn) % 2] if rng.random() < args.race_share else None
            completed = consultation(
                browser,
                VIGNETTES[(number + turn) % len(VIGNETTES)],
                f"BENCH-C{number}-T{turn}",
                lambda: time.sleep(rng.uniform(0.5, 1.5) * args.pause),
                race,
                races.audit,
            )
            with work.lock:
                work.completed += completed
    finally:
        connections.close_all()


# ------------------------------------------------------------------------------- 6: report
def table(columns: dict[str, dict[str, str]], measures: list[str]) -> str:
    """Markdown: a row per measure, a column per database (SQLite first)."""
    databases = sorted(columns, key=lambda name: (name != "SQLite", name))
    lines = [
        "| Measure | " + " | ".join(databases) + " |",
        "|---|" + "---:|" * len(databases),
    ]
    lines += [
        f"| {measure} | " + " | ".join(columns[db].get(measure, "–") for db in databases) + " |"
        for measure in measures
    ]
    return "\n".join(lines)


def column(
    args: argparse.Namespace, races: Races, work: Work, tally: Tally, seconds: float
) -> dict[str, str]:
    audit = races.audit
    requests = sum(tally.statuses.values())
    server_errors = tally.server_errors()
    conflicts = tally.statuses[409] - sum(status == 409 for status, _ in tally.unexpected)

    def outcomes(phase: str, race: str) -> str:
        counts = [races.outcomes[phase, race, name] for name in OUTCOMES[race]]
        return f"{sum(counts)} ({' / '.join(str(n) for n in counts)})"

    histogram = " · ".join(
        f"{status or 'none'}: {count:,}"
        for status, count in sorted(tally.statuses.items(), key=lambda item: item[0] or 0)
    )
    return {
        f"Race (a) {COMPLETE_VS_SAVE}, trials ({' / '.join(OUTCOMES[COMPLETE_VS_SAVE])})": (
            outcomes(TRIALS, COMPLETE_VS_SAVE)
        ),
        f"Race (b) {TWO_SAVES}, trials ({' / '.join(OUTCOMES[TWO_SAVES])})": (
            outcomes(TRIALS, TWO_SAVES)
        ),
        "Clinicians × time": f"{args.clinicians} × {args.seconds:g} s",
        "Consultations completed": f"{work.completed:,}",
        "Races (a) among them": outcomes(AT_WORK, COMPLETE_VS_SAVE),
        "Races (b) among them": outcomes(AT_WORK, TWO_SAVES),
        "Requests (per second, races included)": f"{requests:,} ({requests / seconds:.0f}/s)",
        "Status codes": histogram,
        "Conflict pages (409, a race's losing tab: expected)": f"{conflicts:,}",
        "**5xx**": f"**{server_errors}**",
        "**Other unexpected responses (4xx, none, a post not saved)**": (
            f"**{len(tally.unexpected) - server_errors}**"
        ),
        f"**{LOST.capitalize()}**": f"**{audit.count(LOST)}**",
        **{f"**{kind.capitalize()}**": f"**{audit.count(kind)}**" for kind in VIOLATIONS},
    }


def update_readme(database: str, values: dict[str, str], about: str) -> None:
    """Write this database's column and its line below the table; keep the other database's,
    and the notes below NOTES_MARKER."""
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{SECTION}\n.*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(text)
    section, kept = (found[0] if found else ""), ""
    if NOTES_MARKER in section:
        section, kept = section.split(NOTES_MARKER, 1)
    columns: dict[str, dict[str, str]] = {}
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    if rows:
        names = [cell.strip() for cell in rows[0].strip("|").split("|")][1:]
        for row in rows[1:]:  # the header's; the |---| line does not start with "| "
            measure, *cells = [cell.strip() for cell in row.strip("|").split("|")]
            for name, cell in zip(names, cells, strict=False):
                columns.setdefault(name, {})[measure] = cell
    columns[database] = values
    notes: dict[str, list[str]] = {}  # "- SQLite" → its lines
    for line in section.splitlines():
        if line.startswith("- "):
            name = line.split(":", 1)[0]
            notes[name] = [line]
        elif line.startswith("  ") and notes:
            notes[name].append(line)
    notes[f"- {database}"] = [textwrap.fill(f"- {database}: {about}", 100, subsequent_indent="  ")]
    new = (
        f"{SECTION}\n\n{textwrap.fill(INTRO, 100)}\n\n{table(columns, list(values))}\n\n"
        + "\n".join("\n".join(notes[n]) for n in sorted(notes, key=lambda n: "SQLite" not in n))
        + f"\n\n{NOTES_MARKER}\n"
        + (f"\n{kept.strip()}\n" if kept.strip() else "")
    )
    if found:
        text = (
            text[: found.start()]
            + new
            + ("\n" if text[found.end() :] else "")
            + text[found.end() :]
        )
    else:
        text = f"{text.rstrip()}\n\n{new}"
    README.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clinicians", type=int, default=20, help="simulated clinicians")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they work")
    parser.add_argument("--races", type=int, default=30, help="trials of each two-tab race")
    parser.add_argument(
        "--race-share",
        type=float,
        default=0.25,
        help="share of the clinicians' consultations with a two-tab race",
    )
    parser.add_argument("--pause", type=float, default=0.5, help="mean think time (seconds)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--update-readme", action="store_true", help=f'write "{SECTION}"')
    args = parser.parse_args()

    run = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    load_before = os.getloadavg()[0]
    outer_environ = dict(os.environ)  # setup_django replaces it with the site's
    workdir = Path(tempfile.mkdtemp(prefix="eczema-concurrency-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = production_env(database_url)
    setup_django(env)
    INPUTS.update(vignette_inputs())
    server = None
    try:
        print(f"concurrency: preparing {database_url.rsplit('@', 1)[-1]}", flush=True)
        data = prepare(run, args.clinicians, args.races)
        server = start_gunicorn(env, args.workers, workdir)
        tally, audit = Tally(), Audit()
        races, work = Races(audit), Work()
        started = time.monotonic()
        print(f"concurrency: {args.races} trials of each race, {args.workers} workers", flush=True)
        race_trials(Browser(server.port, data["racer"], tally), data["drafts"], args.races, races)
        races.phase = AT_WORK
        print(f"concurrency: {args.clinicians} clinicians for {args.seconds:g} s", flush=True)
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=clinician,
                args=(Browser(server.port, headers, tally), n, deadline, args, races, work),
            )
            for n, headers in enumerate(data["clinicians"])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        server.stop()
        log = server.log.read_text(errors="replace")
        server = None
        rows = audit.sweep(run)
        values = column(args, races, work, tally, elapsed)
        command = (
            ("DATABASE_URL=… " if "DATABASE_URL" in outer_environ else "")
            + f".venv/bin/python bench/concurrency.py --clinicians {args.clinicians} "
            f"--seconds {args.seconds:g} --races {args.races} --race-share {args.race_share:g} "
            f"--pause {args.pause:g} --workers {args.workers}"
        )
        about = (
            f"{dt.date.today():%d %b %Y}, {machine()}; {data['server']}; gunicorn with "
            f"{args.workers} sync workers; {rows:,} consultations checked; 1-minute load average "
            f"{load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after. `{command}`"
        )
        print(f"\n{table({data['database']: values}, list(values))}\n\n{data['database']}: {about}")
        for status, request in tally.unexpected:
            print(f"concurrency: unexpected {status or 'no response'}: {request}")
        for (pk, kind), seen in sorted(audit.found.items()):
            print(f"concurrency: {kind}: {pk}: {seen}")
        if tally.server_errors():
            print(f"concurrency: the server's log:\n{log}")
        if args.update_readme:
            update_readme(data["database"], values, about)
            print(f"concurrency: README.md updated ({SECTION})")
        failed = bool(tally.unexpected or audit.found)
        print(f"concurrency: {'FAILED' if failed else 'passed'}")
        return int(failed)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
