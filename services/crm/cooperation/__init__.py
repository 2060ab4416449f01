"""Recruitment cooperation across municipal borders (issue 15, docs/cooperation.md)."""
