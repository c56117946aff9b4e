"""Scheduled (beat) jobs and the outbox relay. Each schedule sits next to its task."""
