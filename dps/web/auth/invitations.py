"""Accepting an invitation to join an organisation."""
