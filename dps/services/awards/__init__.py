"""The end of a call-off: the award decision, outcome letters, more reasons, the contract, the
record and the quarterly award notices."""
