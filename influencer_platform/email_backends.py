"""A Django email backend on the Resend SDK.

Everything that sends mail (allauth, lifecycle emails, operator tests) goes through Django's
``send_mail``/``EmailMessage``; with ``RESEND_API_KEY`` set this backend hands each message to
Resend. An ``Idempotency-Key`` header on a message is passed to Resend as its idempotency key
instead of being sent as a mail header, so a retried send is delivered once.
"""

from __future__ import annotations

import logging

import resend
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from .errors import ProviderPermanentError, ProviderTransientError

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _params(message: EmailMessage) -> tuple[dict, dict]:
    headers = dict(message.extra_headers)
    idempotency_key = headers.pop(IDEMPOTENCY_HEADER, None)
    params: dict = {
        "from": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "subject": message.subject,
        "text": message.body,
    }
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            params["html"] = content
    if message.cc:
        params["cc"] = list(message.cc)
    if message.bcc:
        params["bcc"] = list(message.bcc)
    if message.reply_to:
        params["reply_to"] = list(message.reply_to)
    if headers:
        params["headers"] = headers
    options = {"idempotency_key": idempotency_key} if idempotency_key else {}
    return params, options


class ResendEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        # The SDK is configured through module globals; set them on every send so a settings
        # change (tests, a rotated key) is honoured.
        resend.api_key = settings.RESEND_API_KEY
        resend.api_url = settings.RESEND_API_URL
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            params, options = _params(message)
            try:
                resend.Emails.send(params, options or None)
            except resend.exceptions.ResendError as exc:
                if self.fail_silently:
                    logger.warning("email not sent", extra={"code": exc.code, "error_type": exc.error_type})
                    continue
                status = int(exc.code) if str(exc.code).isdigit() else None
                if status is None or status >= 500 or status == 429:
                    raise ProviderTransientError(f"Resend could not send: {exc.error_type}", status=status) from exc
                raise ProviderPermanentError(f"Resend refused the email: {exc.error_type}", status=status) from exc
            sent += 1
        return sent
