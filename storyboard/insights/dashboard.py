"""The insights dashboard: headline figures, then sections, each a chart with its data table
beside it and the table as CSV; and the form with which curators say which departments face
customers.

With filters that cannot be read the page answers 400, says why, and shows the default figures
(the last 12 months for everyone), as `insights/_filters.html` tells the reader.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.insights.blueprint import bp, insights_required
from storyboard.insights.charts import CHARTS, chart_title, render_chart, style_hashes
from storyboard.insights.common import filter_context, filter_status, page_filters
from storyboard.insights.csv_stream import csv_response
from storyboard.insights.departments import KIND_NAMES, classify_departments
from storyboard.insights.filters import InsightFilters
from storyboard.insights.tables import TABLES, DashboardFigures, headline

# What a chart may use: its own <style>, allowed by its hash, and nothing else (no script, font,
# image or link); the rest as strict as every page's.
CHART_POLICY = ("default-src 'none'; script-src 'self'; style-src {styles}; object-src 'none'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The page's sections in order; those in CHARTS have a chart beside their table.
SECTIONS = ("timeline", "departments", "values", "front-line", "participation", "queue", "digest", "evidence")


def scope_of(filters: InsightFilters) -> InsightFilters:
    """The filters the figures use: the defaults when the ones asked for could not be read."""
    return InsightFilters.from_args({}) if filters.errors else filters


def _readable_filters_or_400() -> InsightFilters:
    """For a chart or a CSV: nothing to draw or download from filters that cannot be read."""
    filters = page_filters()
    if filters.errors:
        abort(400, " ".join(filters.errors))
    return filters


@bp.get("/")
@insights_required
def dashboard():
    filters = page_filters()
    scope = scope_of(filters)
    data = DashboardFigures(scope, utcnow())
    data.prefetch()
    tables = {name: data.table(name) for name in SECTIONS}
    page = render_template(
        "insights/dashboard.html", data=data, tables=tables, headline=headline(data), charts=CHARTS,
        chart_titles={name: chart_title(tables[name], data.monthly) for name in CHARTS},
        scope=scope, kinds=data.kinds, kind_names=KIND_NAMES, **filter_context(filters, "insights.dashboard"),
    )
    return page, filter_status(filters)


@bp.get("/charts/<name>.svg")
@insights_required
def chart(name: str):
    if name not in CHARTS:
        abort(404)
    data = DashboardFigures(_readable_filters_or_400(), utcnow())
    svg = render_chart(data.table(name), data.monthly)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY.format(styles=" ".join(style_hashes(svg)) or "'none'")
    return response


@bp.get("/tables/<name>.csv")
@insights_required
def table_csv(name: str):
    if name not in TABLES:
        abort(404)
    scope = _readable_filters_or_400()
    table = DashboardFigures(scope, utcnow()).table(name)
    filename = f"storyboard-{name}-{scope.start.isoformat()}-to-{scope.end.isoformat()}.csv"
    return csv_response(filename, table.header, table.all_rows)


@bp.post("/departments")
@insights_required
def classify():
    names, kinds = request.form.getlist("department"), request.form.getlist("kind")
    if not names or len(names) != len(kinds):
        abort(400, "Choose a kind for each department listed, then save.")
    changed = classify_departments(current_user, zip(names, kinds, strict=True))
    db.session.commit()
    flash(f"Saved: {changed} department{'s' if changed != 1 else ''} changed." if changed
          else "Nothing changed.", "success")
    filters = page_filters()
    return redirect(url_for("insights.dashboard", **scope_of(filters).query_args(), _anchor="front-line"))
