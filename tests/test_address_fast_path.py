"""The memoised path for common addresses gives exactly email-validator's answer."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from outreach.core.addresses import AddressError, normalise_address

ADDRESSES = [
    "ana@example.net",
    "ana@Example.NET",
    "Ana@example.net",
    "  ana@example.net  ",
    "a.b+tag@sub.example.com",
    "o'neill@example.org",
    "postmaster@Example.org",
    "POSTMASTER@example.org",
    "abuse@example.com",
    "josé@example.org",
    "ana@bücher.example",
    "ana@xn--bcher-kva.example",
    "ana@ＥＸＡＭＰＬＥ.com",
    "ana@ﬁ.example.com",
    "ana@localhost",
    "ana@x.test",
    "ana@x.local",
    "ana@example.invalid",
    "ana@example.123",
    "ana@-bad.example.com",
    "ana@example..com",
    "ana@example.com.",
    "ana@exa_mple.com",
    "ana@ex ample.com",
    ".ana@example.com",
    "ana..b@example.com",
    '"ana b"@example.com',
    "ana@[192.0.2.1]",
    "ana",
    "@example.com",
    "ana@",
    "Ana Lima <ana@example.net>",
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "ana@" + "a" * 63 + ".example.com",
    "ana@" + "a" * 64 + ".example.com",
    "x@" + ".".join(["a" * 60] * 4) + ".com",
    "x" * 60 + "@" + ".".join(["b" * 60] * 3) + ".com",
]


def _reference(address: str) -> str | tuple[str, str]:
    try:
        return str(validate_email(address.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        return ("invalid", str(exc))


@pytest.mark.parametrize("address", ADDRESSES)
def test_normalise_address_agrees_with_email_validator(address: str) -> None:
    normalise_address.cache_clear()
    try:
        ours: str | tuple[str, str] = normalise_address(address)
    except AddressError as exc:
        ours = ("invalid", str(exc))
    assert ours == _reference(address)
