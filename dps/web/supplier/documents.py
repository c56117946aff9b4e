"""Supplier area: documents."""
