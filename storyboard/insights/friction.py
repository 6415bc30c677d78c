"""Placeholder: being built."""
from storyboard.insights.blueprint import bp, insights_required


@bp.get("/friction")
@insights_required
def friction():
    return "Being built."
