"""Jobbro's common package: what two or more services need, kept once."""
