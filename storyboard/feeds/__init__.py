"""Atom feeds of published stories, opened with a personal feed token."""
