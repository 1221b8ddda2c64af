"""The error vocabulary shared by every app.

Services raise ``ApplicationError`` (or a subclass) with a stable ``code``; the DRF exception
handler and the HTML views turn it into a ``{"code", "message", "extra"}`` body or a form/flash
message. Outside systems raise ``ProviderTransientError`` (retry with backoff) or
``ProviderPermanentError`` (do not retry) from their client seam.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A failure a user can be told about in plain words."""

    code = "error"
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}

    def add_to_form(self, form) -> None:
        """Show the refusal next to the field it names, or above the form when the form has no
        such field (Django's ``add_error`` would raise for an unknown one)."""
        field = self.extra.get("field")
        form.add_error(field if field in form.fields else None, self.message)


class NotFoundError(ApplicationError):
    code = "not_found"
    status_code = 404


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status_code = 403


class ProviderError(Exception):
    """Raised by a client for an outside system; never shown to users verbatim."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ProviderTransientError(ProviderError):
    """Connection failure, timeout, 429 or 5xx: worth retrying after ``retry_after`` seconds."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ProviderPermanentError(ProviderError):
    """A 4xx other than 429 (bad key, no credit, not found): retrying cannot help."""


class SwitchedOffError(ApplicationError):
    """An operator switched this part of the product off for now (see the ``features.*`` settings)."""

    code = "feature_switched_off"
    status_code = 409
