"""Insights for HR: what gets measured gets managed.

The dashboard (`/insights/`), recognition equity, the friction report and its owners, and CSV
exports, all for curators and admins; managers see their own reports' equity. Everything here
reads the stories and people as they are; what it changes is its own (friction items,
department kinds) and it announces friction fixes with a signal, as stories do.
"""
