"""Placeholder entry point; replaced by the real CLI."""


def entry_point() -> int:
    return 0
