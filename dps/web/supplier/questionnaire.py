"""Supplier area: questionnaire."""
