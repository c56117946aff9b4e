"""Supplier area: profile."""
