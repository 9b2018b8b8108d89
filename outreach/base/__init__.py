"""Foundation: errors and exit codes, the shared value types, the clock type, wording.

Everything else may import from here; this package imports nothing else of
outreach's and does no I/O.
"""
