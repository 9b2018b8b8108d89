"""The journal: `journal.db`, the user's history of touches, drafts and sync state.

`store` owns the connection, transactions and schema migrations; each other
module here owns the queries of one part of the product.
"""

from outreach.store.journal.store import SCHEMA_VERSION, Journal

__all__ = ["SCHEMA_VERSION", "Journal"]
