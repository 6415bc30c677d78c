"""Placeholder: being built."""
from storyboard.insights.blueprint import bp, insights_required


@bp.get("/")
@insights_required
def dashboard():
    return "Being built."
