"""Jobbro's web front: the pages consultants, companies and managers use (issue 5, docs/web.md)."""
