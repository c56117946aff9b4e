"""Call-offs (mini-competitions): a member council competes a need among a lot's suppliers."""
