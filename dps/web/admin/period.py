"""Administration: period."""
