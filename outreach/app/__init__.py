"""Use cases, one module per group, shared by the CLI and the daemon.

Each takes a loaded workspace, an open journal, a clock or `now` and a
progress callback, and returns a result value; none of them prints.
"""
