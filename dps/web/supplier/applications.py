"""Supplier area: applications."""
