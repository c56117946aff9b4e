"""Administration: emails."""
