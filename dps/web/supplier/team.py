"""Supplier area: team."""
