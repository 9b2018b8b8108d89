"""Edges that talk to mail servers and mail stores: IMAP, SMTP, Maildir, credentials.

Thin: each turns the outside world's answers and failures into the core's
values and the project's own errors. The user's mailbox is read-only here but
for the writes DESIGN.md lists.
"""
