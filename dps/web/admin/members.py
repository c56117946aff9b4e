"""Administration: members."""
