"""Conformance and SQLite-specific tests of the Storage port adapters."""
