"""How a promotion is named in the orders pricing: an applied discount's key is ``promotion:<id>``."""

from __future__ import annotations

KEY_PREFIX = "promotion:"


def promotion_key(promotion_id: int) -> str:
    return f"{KEY_PREFIX}{promotion_id}"


def promotion_id_of(key: str) -> int | None:
    if not key.startswith(KEY_PREFIX):
        return None
    try:
        return int(key[len(KEY_PREFIX):])
    except ValueError:
        return None
