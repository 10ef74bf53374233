"""Text as the database can hold it, shared by the apps' services."""

from typing import Any


def without_nul(value: Any, replacement: str = "") -> Any:
    """``value`` (a string, or decoded JSON: lists and dicts of them) with every NUL character
    replaced: no database column can hold one, and what was typed or sent must be kept."""
    if isinstance(value, str):
        return value.replace("\x00", replacement)
    if isinstance(value, list):
        return [without_nul(item, replacement) for item in value]
    if isinstance(value, dict):
        return {without_nul(key, replacement): without_nul(item, replacement) for key, item in value.items()}
    return value
