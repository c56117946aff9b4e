"""Domain services: the rules and transitions, shared by the web and the workers.

Services take what they need as arguments (never the request), change models, write the audit
event and any outbox rows in the same transaction, and commit.
"""
