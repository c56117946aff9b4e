"""The qualification checks' verdicts (DESIGN §5): one pure function per check, plain values in.

Each module judges what a check has gathered (the snapshot's answers, profile and documents as
dicts, a lot's minimums as ints, today's date, the register's answer) and returns a
``CheckVerdict``; ``recommendation`` turns a lot's outcomes into the advice the reviewers see.
The gathering (reading the database, the document store, Companies House) is in
``dps.services.qualification.registry``.
"""
