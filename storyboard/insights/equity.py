"""Placeholder: being built."""
from storyboard.insights.blueprint import bp, insights_required


@bp.get("/equity")
@insights_required
def equity():
    return "Being built."
