"""Inline SVG charts: no script, no CDN, readable without JavaScript."""
from __future__ import annotations

from markupsafe import Markup, escape

from .dashboard import Bar

ROW_HEIGHT = 22
LABEL_WIDTH = 190
CHART_WIDTH = 460


def horizontal_bars(bars: list[Bar], *, title: str, empty_text: str) -> Markup:
    """One labelled bar per item, grouped under their ``group`` headings."""
    if not bars:
        return Markup('<p class="text-muted small mb-0">{}</p>').format(empty_text)
    peak = max(b.value for b in bars) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 50
    parts, y, group = [], 0, None
    for bar in bars:
        if bar.group != group:
            group = bar.group
            parts.append(f'<text x="0" y="{y + 15}" class="chart-group">{escape(group)}</text>')
            y += ROW_HEIGHT
        width = max(2, round(span * bar.value / peak))
        parts.append(
            f'<g><title>{escape(bar.label)}: {bar.value:g}</title>'
            f'<text x="10" y="{y + 15}" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width}" height="{ROW_HEIGHT - 8}" rx="2" class="chart-bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}" class="chart-value">{bar.value:g}</text></g>')
        y += ROW_HEIGHT
    return _svg(parts, CHART_WIDTH, y, title)


def columns(bars: list[Bar], *, title: str, height: int = 150) -> Markup:
    """Vertical columns with their labels below, for a series over time."""
    count = max(len(bars), 1)
    peak = max((b.value for b in bars), default=0) or 1
    slot = CHART_WIDTH / count
    plot = height - 36
    parts = [f'<line x1="0" y1="{plot}" x2="{CHART_WIDTH}" y2="{plot}" class="chart-axis"/>']
    for i, bar in enumerate(bars):
        h = round(plot * bar.value / peak) if bar.value else 0
        x = round(i * slot + slot * 0.2, 1)
        w = round(slot * 0.6, 1)
        parts.append(
            f'<g><title>{escape(bar.label)}: {bar.value:g}</title>'
            f'<rect x="{x}" y="{plot - h}" width="{w}" height="{h}" rx="2" class="chart-bar"/>'
            f'<text x="{x + w / 2}" y="{plot - h - 4}" text-anchor="middle" class="chart-value">{bar.value:g}</text>'
            f'<text x="{x + w / 2}" y="{plot + 16}" text-anchor="middle" class="chart-label small">{escape(bar.label)}</text></g>')
    return _svg(parts, CHART_WIDTH, height, title)


def _svg(parts: list[str], width: int, height: int, title: str) -> Markup:
    # Every text in ``parts`` and here went through escape(); the rest are numbers.
    return Markup(  # nosec B704
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title>{"".join(parts)}</svg>')
