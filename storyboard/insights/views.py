"""The insights pages, each module adding its routes to the one blueprint."""
from storyboard.insights import dashboard, equity, exports, friction  # noqa: F401  routes on bp
from storyboard.insights.blueprint import bp

__all__ = ["bp"]
