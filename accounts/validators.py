from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError

_LIST = Path(__file__).with_name("disposable_domains.txt")


@lru_cache(maxsize=1)
def _disposable_domains() -> frozenset[str]:
    lines = _LIST.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_disposable_email(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    parts = domain.split(".")
    # mail.yopmail.com is as disposable as yopmail.com.
    return any(".".join(parts[i:]) in _disposable_domains() for i in range(len(parts) - 1))


def validate_not_disposable(email: str) -> None:
    if is_disposable_email(email):
        raise ValidationError(
            "Disposable email addresses can't be used. Please sign up with your work email "
            "so we can reach you about your account and trial.",
            code="disposable_email",
        )
