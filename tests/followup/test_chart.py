"""The trend chart: POEM bands, scores and severity where they belong; no style attributes."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.template.loader import render_to_string

from decision import trend

D = date(2026, 11, 2)


def points(*visits: tuple[int | None, str]) -> list[trend.VisitPoint]:
    return [
        trend.VisitPoint(D + timedelta(days=14 * i), poem, severity)
        for i, (poem, severity) in enumerate(visits)
    ]


def test_the_five_poem_bands_are_shaded_from_the_specification():
    chart = trend.chart(points((12, "moderate")))
    assert [(b.label, b.low, b.high) for b in chart.bands] == [
        ("Clear or almost clear", 0, 2),
        ("Mild", 3, 7),
        ("Moderate", 8, 16),
        ("Severe", 17, 24),
        ("Very severe", 25, 28),
    ]
    # Stacked without gaps from the bottom of the panel (POEM 0) to its top (POEM 28).
    bottom = [round(b.y + b.height, 1) for b in chart.bands]
    assert bottom[0] == chart.poem_bottom
    assert [round(b.y, 1) for b in chart.bands[:-1]] == bottom[1:]
    assert chart.bands[-1].y == chart.poem_top


def test_scores_sit_at_their_height_and_visits_are_spread_oldest_first():
    chart = trend.chart(points((0, "mild"), (14, "moderate"), (28, "severe")))
    ys = [mark.y for mark in chart.poem_marks]
    assert ys[0] == chart.poem_bottom and ys[2] == chart.poem_top
    assert ys[1] == (chart.poem_top + chart.poem_bottom) / 2
    xs = [mark.x for mark in chart.poem_marks]
    assert chart.left < xs[0] < xs[1] < xs[2] < chart.right
    assert [m.text for m in chart.severity_marks] == ["mild", "moderate", "severe"]
    lanes = {lane.text: lane.rule_y for lane in chart.lanes}
    assert [m.y for m in chart.severity_marks] == [
        lanes["Mild"],
        lanes["Moderate"],
        lanes["Severe"],
    ]
    assert chart.poem_line.count(",") == 3


def test_a_visit_without_poem_keeps_its_severity_and_date():
    chart = trend.chart(points((12, "moderate"), (None, "severe")))
    assert len(chart.poem_marks) == 1 and chart.poem_line == ""
    assert len(chart.severity_marks) == 2
    assert [d.text for d in chart.dates] == ["2 Nov", "16 Nov"]
    assert chart.description == (
        "POEM 12 (moderate) on 2 Nov 2026. Severity moderate on 2 Nov 2026, then severe on "
        "16 Nov 2026."
    )


def test_many_visits_keep_every_mark_and_the_latest_date():
    chart = trend.chart(points(*[(n, "mild") for n in range(20)]))
    assert len(chart.poem_marks) == 20
    assert 1 < len(chart.dates) < 20
    assert chart.dates[-1].text == f"{(D + timedelta(days=14 * 19)).day} " + (
        D + timedelta(days=14 * 19)
    ).strftime("%b")
    gaps = [b.x - a.x for a, b in zip(chart.dates, chart.dates[1:], strict=False)]
    assert min(gaps) >= trend.DATE_ROOM


def test_the_svg_is_titled_described_and_has_no_style_attribute():
    chart = trend.chart(points((12, "moderate"), (13, "moderate")))
    html = render_to_string(
        "decision/followup/trend_chart.html", {"chart": chart, "id": "t", "table": None}
    )
    assert 'role="img" aria-labelledby="t-title t-desc"' in html
    assert '<title id="t-title">POEM and severity over 2 visits</title>' in html
    assert "POEM 12 (moderate) on 2 Nov 2026, then 13 (moderate) on 16 Nov 2026." in html
    assert not re.search(r"\sstyle=", html)
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
