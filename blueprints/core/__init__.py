"""Machinery every module shares: extensions, scoping, audit, rendering, formatting, PDF."""
