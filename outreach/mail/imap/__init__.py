"""IMAP access: the connection seam, special-folder lookup and the lean header fetch.

Every IMAP connection the project opens goes through `imap_session`.
"""

from outreach.mail.imap.connection import find_special_folder, imap_session

__all__ = ["find_special_folder", "imap_session"]
