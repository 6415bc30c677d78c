"""The dashboard's charts: SVG drawn on the server by pygal from the same tables the page shows.

Nothing in them runs or loads: pygal's scripts are off (`js=[]`) and the one inline script it
always writes (its tooltip configuration) is taken out of the tree before rendering; fonts are
the system's, never Google's. The SVG keeps pygal's inline <style>, which is why each chart is
its own response with its own narrow Content-Security-Policy (allowing that stylesheet by its
hash), shown on the page with <img>.
"""
from __future__ import annotations

import base64
import hashlib
import sys
from dataclasses import dataclass
from xml.etree import ElementTree  # nosec B405 (it parses only our own SVG)

import pygal
from pygal.style import Style

# pygal puts an import hook for its map plugins (pygal.maps.*) on sys.meta_path. It predates
# find_spec, so every failed import after it (an optional dependency probed, as rq probes
# setproctitle) raises an ImportWarning, an error under the tests' warning filter. Storyboard
# draws no maps: the hook goes, before anything else is imported.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

from storyboard.insights.tables import DataTable  # noqa: E402

# Storyboard's palette (static/css/storyboard.css): ink, line, accent, then ok, warn, bad.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#d9dee7",
    opacity="1",
    opacity_hover="1",
    colors=("#1f5fbf", "#1c7c3c", "#8a5a00", "#b3261e"),
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    title_font_size=22,
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=15,
    value_font_size=15,
    tooltip_font_size=15,
    no_data_font_size=20,
)
WIDTH = 800  # viewBox units; the image scales to its column


@dataclass(frozen=True)
class ChartSpec:
    title: str
    x_title: str  # the axis the labels run along
    y_title: str  # the axis the figures are measured on
    value_column: int
    horizontal: bool = True


CHARTS = {
    "timeline": ChartSpec("Published stories", "", "Published stories", 2, horizontal=False),
    "departments": ChartSpec("Stories per 100 active people, by department", "Department",
                             "Published stories per 100 active people", 3),
    "values": ChartSpec("Published stories by value", "Value", "Published stories", 1),
    "front-line": ChartSpec("Front line and backstage", "Kind of department",
                            "Published stories per 100 active people", 4, horizontal=False),
    "participation": ChartSpec("Share of people who nominated someone", "Department",
                               "Active people who nominated someone (%)", 3),
    "evidence": ChartSpec("Stories with customer evidence", "Department",
                          "Published stories with customer evidence", 2),
}


def _without_scripts(root):
    """No script, and no tooltip layer (it needs one, and is the only styled attribute)."""
    for parent in root.iter():
        for child in list(parent):
            if _local(child.tag) == "script" or "tooltip-overlay" in (child.get("class") or ""):
                parent.remove(child)
    return root


def _local(tag) -> str:
    return str(tag).rpartition("}")[2]


def style_hashes(svg: bytes) -> list[str]:
    """CSP sources for the SVG's <style> elements ('sha256-…'), so its policy can allow exactly
    pygal's stylesheet and nothing else: no 'unsafe-inline' anywhere in the app."""
    root = ElementTree.fromstring(svg)  # nosec B314 (our own SVG, not input)
    texts = [element.text or "" for element in root.iter() if _local(element.tag) == "style"]
    return [f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'" for text in texts]


def _labels(table: DataTable, monthly: bool) -> list[str]:
    if table.name == "timeline":
        return [row[0].strftime("%b %Y") if monthly else f"{row[0].day} {row[0]:%b %Y}" for row in table.rows]
    return [str(row[0]) for row in table.rows]


def chart_title(table: DataTable, monthly: bool) -> str:
    spec = CHARTS[table.name]
    if table.name == "timeline":
        return f"{spec.title} per {'month' if monthly else 'week'}"
    return spec.title


def render_chart(table: DataTable, monthly: bool = False) -> bytes:
    """The table's chart as an SVG document."""
    spec = CHARTS[table.name]
    labels = _labels(table, monthly)
    values = [row[spec.value_column] for row in table.rows]
    if spec.horizontal:
        # pygal draws the first bar at the bottom; the table reads from the top.
        labels, values = labels[::-1], values[::-1]
    kind = pygal.HorizontalBar if spec.horizontal else pygal.Bar
    few = spec.horizontal or len(labels) <= 14  # every label fits, unturned
    label_title = spec.x_title or ("Month" if monthly else "Week starting (Monday)")
    # pygal's x_title is always the bottom axis: the scale under horizontal bars, the labels
    # under vertical ones.
    bottom, left = (spec.y_title, label_title) if spec.horizontal else (label_title, spec.y_title)
    chart = kind(
        js=[], style=STYLE, title=chart_title(table, monthly), x_title=bottom, y_title=left,
        width=WIDTH, height=_height(len(labels), spec.horizontal),
        # No figures printed on the bars: pygal centres them on the bar's end, half on the
        # colour; the table beside the chart carries every figure.
        show_legend=False, print_values=False,
        x_label_rotation=0 if few else 45, show_minor_x_labels=few,
        x_labels_major_every=None if few else -(-len(labels) // 13),  # about a dozen labels fit
        truncate_label=-1, min_scale=2, max_scale=6, no_data_text="No figures in this range",
        margin=16,
    )
    chart.add_xml_filter(_without_scripts)
    chart.x_labels = labels
    chart.add(spec.y_title, values)  # None (nobody to divide by) leaves a gap
    return chart.render()


def _height(bars: int, horizontal: bool) -> int:
    if horizontal:
        return max(260, 120 + 38 * bars)
    return 440
