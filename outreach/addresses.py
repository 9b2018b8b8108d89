"""Email address syntax and normal form, through email-validator.

Pure: deliverability (DNS) checks are off, so validation never touches the
network. Normalise once when reading the roster; match with `address_key`.
"""

from __future__ import annotations

from functools import lru_cache

from email_validator import EmailNotValidError, validate_email


class AddressError(ValueError):
    """An address that is not a valid email address, with email-validator's reason."""


@lru_cache(maxsize=65536)
def normalise_address(address: str) -> str:
    """email-validator's normalised form (domain lower-cased, Unicode NFC)."""
    try:
        result = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None
    return str(result.normalized)
