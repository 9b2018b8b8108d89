"""outreach: authentic networking over email.

Keep a small, intentional network in plain files, draft the emails that support
other people for a human to review, learn from the mailbox who replied, and
answer one question well: who haven't I supported lately?
"""

__version__ = "0.1.0"
