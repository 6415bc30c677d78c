"""Administration: the company's values, people and their roles, and the audit log."""
