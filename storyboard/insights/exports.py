"""Placeholder: being built."""
from storyboard.insights.blueprint import bp, insights_required


@bp.get("/exports")
@insights_required
def exports():
    return "Being built."
