"""Scheme rules loaded from versioned data (`scheme_rules.yaml` or `JOBBRO_RULES_FILE`)."""

from shared.rules.book import Rulebook, RuleBreach, get_rulebook

__all__ = ["Rulebook", "RuleBreach", "get_rulebook"]
