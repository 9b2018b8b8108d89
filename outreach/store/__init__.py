"""Edges that own the workspace's files: the journal, the outbox, locks, the cache.

Every write to a user's file is atomic; the journal is migrated forward, never
replaced.
"""
