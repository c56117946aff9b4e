"""Evaluating a call-off's opened tenders: conflicts of interest, scoring, moderation, price
reviews and the ranking."""
