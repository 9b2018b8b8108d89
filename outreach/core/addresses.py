"""Email address syntax and normal form, through email-validator.

Pure: deliverability (DNS) checks are off, so validation never touches the
network. Normalise once when reading the roster; match with `address_key`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# RFC 5322 dot-atom over ASCII atext: a local part email-validator accepts as written.
_ASCII_DOT_ATOM = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z"
)


class AddressError(ValueError):
    """An address that is not a valid email address, with email-validator's reason."""


def _validated(address: str) -> Any:
    """email-validator's verdict on `address`; AddressError when it refuses it."""
    # Imported here: loading it costs 20 ms, which a command working from the
    # cached, already validated roster need not pay.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None


@lru_cache(maxsize=65536)
def normalise_address(address: str) -> str:
    """email-validator's normalised form (domain lower-cased, Unicode NFC)."""
    address = address.strip()
    common = _common_form(address)
    if common is not None:
        return common
    return str(_validated(address).normalized)


def _common_form(address: str) -> str | None:
    """The normal form of `plain.lowercase@valid.domain`, or None for any other shape.

    Checking the domain is most of email-validator's cost and a roster repeats
    few domains, so its verdict is memoised per domain. A lowercase ASCII
    dot-atom local part is kept as written, and far below the length limits
    nothing joins the two parts; every other address takes the full check.
    """
    local, _, domain = address.rpartition("@")
    if not local or len(local) > 64 or local != local.lower():
        return None
    if not _ASCII_DOT_ATOM.match(local):
        return None
    forms = _domain_forms(domain)
    if forms is None:
        return None
    unicode_domain, ascii_domain = forms
    if len(local) + 1 + max(len(unicode_domain.encode()), len(ascii_domain)) > 200:
        return None
    return f"{local}@{unicode_domain}"


@lru_cache(maxsize=4096)
def _domain_forms(domain: str) -> tuple[str, str] | None:
    try:
        result = _validated(f"a@{domain}")
    except AddressError:
        return None
    return str(result.domain), str(result.ascii_domain)
