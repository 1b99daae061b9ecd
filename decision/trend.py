"""The trend chart: POEM and severity over a patient's visits, drawn on the server as SVG.

Plain SVG with presentation attributes (fill, stroke): no script, no style attribute, nothing
from a CDN, so it passes the site's strict CSP and prints the same in the browser and the PDF.
The top panel is POEM (0–28) with its bands shaded (clinical/README.md § 2, severity_aids.toml);
the bottom one the severity the clinician chose. Visits are evenly spaced, oldest first, each
named by its date below. The template gives it a title and a description, and the page a table
with the same figures (templates/decision/partials/trend_chart.html).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from decision.engine.knowledge import severity_aids

POEM_MAX = 28
SEVERITY_LANES = ("severe", "moderate", "mild")  # top to bottom

# The drawing, in SVG user units (the viewBox scales it to the page).
WIDTH = 640
NARROW = 360  # a phone's chart: the bands' names left to the table beside it
LEFT = 72  # room for the axis labels
RIGHT = 136  # room for the bands' names
NARROW_RIGHT = 12
TOP = 28
POEM_HEIGHT = 168
GAP = 34
LANE = 22
BOTTOM = 30
DATE_ROOM = 56  # the least room a date label needs
SEVERITY_TOP = TOP + POEM_HEIGHT + GAP
HEIGHT = SEVERITY_TOP + LANE * len(SEVERITY_LANES) + BOTTOM

# Band fills, palest for "clear": readable under the line in colour and in grey print.
BAND_FILLS = ("#eef6ee", "#f5f7e4", "#fbf1dc", "#f9e2d9", "#f3d4d4")
INK = "#212529"
MUTED = "#5c636a"
POEM_STROKE = "#0b5ed7"
SEVERITY_STROKE = "#6f42c1"


@dataclass(frozen=True)
class VisitPoint:
    """One visit as the chart needs it."""

    day: date
    poem: int | None
    severity: str


@dataclass(frozen=True)
class Band:
    label: str
    low: int
    high: int
    y: float
    height: float
    text_y: float
    fill: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    text: str  # the figure shown beside the mark

    @property
    def above(self) -> float:
        return round(self.y - 9, 1)

    @property
    def box_x(self) -> float:
        return round(self.x - 5, 1)

    @property
    def box_y(self) -> float:
        return round(self.y - 5, 1)

    @property
    def rule_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    plot_width: int
    band_label_x: int | None  # None: no names beside the bands (a phone's chart)
    axis_label_x: int
    bands: list[Band]
    poem_marks: list[Mark]
    poem_line: str  # SVG points of the line through the POEM scores ("" with fewer than two)
    lanes: list[Mark]  # one per severity: its name at the left, the lane's middle
    severity_marks: list[Mark]
    severity_line: str
    dates: list[Mark]
    title: str
    description: str
    poem_label_y: float = TOP - 12
    severity_label_y: float = SEVERITY_TOP - 10
    poem_top: float = TOP
    poem_bottom: float = TOP + POEM_HEIGHT
    severity_top: float = SEVERITY_TOP
    severity_bottom: float = SEVERITY_TOP + LANE * len(SEVERITY_LANES)
    ink: str = INK
    muted: str = MUTED
    poem_colour: str = POEM_STROKE
    severity_colour: str = SEVERITY_STROKE


def _poem_y(score: float) -> float:
    return TOP + POEM_HEIGHT * (1 - score / POEM_MAX)


def _line(marks: list[Mark]) -> str:
    return " ".join(f"{mark.x:g},{mark.y:g}" for mark in marks) if len(marks) > 1 else ""


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _describe(points: list[VisitPoint], bands: list[dict[str, Any]]) -> str:
    def band(score: int) -> str:
        return next(b["label"] for b in bands if b["min"] <= score <= b["max"]).lower()

    poem = [f"{p.poem} ({band(p.poem)}) on {_day(p.day)}" for p in points if p.poem is not None]
    severity = [f"{p.severity or 'not recorded'} on {_day(p.day)}" for p in points]
    parts = [f"POEM {', then '.join(poem)}." if poem else "No POEM score recorded."]
    parts.append(f"Severity {', then '.join(severity)}.")
    return " ".join(parts)


def chart(points: list[VisitPoint], width: int = WIDTH) -> Chart:
    """The chart of these visits, oldest first; at NARROW width without the bands' names."""
    band_names = width > NARROW
    right = RIGHT if band_names else NARROW_RIGHT
    bands_table = severity_aids()["poem"]["band"]
    bands = []
    for index, row in enumerate(bands_table):
        # Each band covers its whole scores: 0–2 is drawn from 0 to 2.5, and so on.
        low = max(row["min"] - 0.5, 0)
        high = min(row["max"] + 0.5, POEM_MAX)
        y = _poem_y(high)
        bands.append(
            Band(
                label=row["label"],
                low=row["min"],
                high=row["max"],
                y=round(y, 1),
                height=round(_poem_y(low) - y, 1),
                text_y=round((y + _poem_y(low)) / 2 + 4, 1),
                fill=BAND_FILLS[index % len(BAND_FILLS)],
            )
        )
    room = width - LEFT - right
    count = len(points)

    def x(index: int) -> float:
        # One visit in the middle; more spread evenly with a margin at each end.
        if count == 1:
            return LEFT + room / 2
        return round(LEFT + 24 + (room - 48) * index / (count - 1), 1)

    spacing = (room - 48) / (count - 1) if count > 1 else room
    every = max(1, math.ceil(DATE_ROOM / spacing))
    poem_marks = [
        Mark(x(i), round(_poem_y(p.poem), 1), str(p.poem))
        for i, p in enumerate(points)
        if p.poem is not None
    ]
    lane_y = {
        name: SEVERITY_TOP + LANE * index + LANE / 2 for index, name in enumerate(SEVERITY_LANES)
    }
    severity_marks = [
        Mark(x(i), lane_y[p.severity], p.severity)
        for i, p in enumerate(points)
        if p.severity in lane_y
    ]
    return Chart(
        width=width,
        height=HEIGHT,
        left=LEFT,
        right=width - right,
        plot_width=room,
        bands=bands,
        poem_marks=poem_marks,
        poem_line=_line(poem_marks),
        lanes=[Mark(LEFT - 6, y + 4, name.capitalize()) for name, y in lane_y.items()],
        band_label_x=width - right + 6 if band_names else None,
        axis_label_x=LEFT - 6,
        severity_marks=severity_marks,
        severity_line=_line(severity_marks),
        dates=[
            Mark(x(i), HEIGHT - 8, f"{p.day.day} {p.day:%b}")
            for i, p in enumerate(points)
            # Labels at least DATE_ROOM apart, counted from the latest visit, which always has one.
            if (count - 1 - i) % every == 0
        ],
        title=f"POEM and severity over {count} visit{'s' if count != 1 else ''}",
        description=_describe(points, bands_table),
    )
