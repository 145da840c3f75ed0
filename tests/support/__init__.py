"""Helpers shared by the test modules: cached syntheses and the type tokens they query."""
