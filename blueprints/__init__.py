"""Sinergi blueprints: one package per area; shared machinery lives in ``blueprints.core``."""
