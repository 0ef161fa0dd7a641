"""Sending e-mail: real SMTP when ``SMTP_URL`` is set, a local outbox otherwise.

``SMTP_URL`` looks like ``smtp://user:password@host:587?starttls=1`` or
``smtps://user:password@host:465``. Without it (development only) every mail is
written to the ``OutboxMessage`` table, which the dev stack's console shows to
administrators on its outbox page, so a reset link can be followed without a
mail server.

Either way the log says only that a mail went out, to whom and about what:
never its body, which may hold a password-reset link (a bearer secret).
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from habilita.settings import Settings, SettingsError

log = logging.getLogger("habilita.mail")


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str
    password: str
    ssl: bool
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> "SmtpTarget":
        """Read an ``smtp://`` or ``smtps://`` URL."""
        parts = urlparse(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SettingsError(f"SMTP_URL must look like smtp://user:password@host:port, not {url!r}")
        ssl = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname, port=parts.port or (465 if ssl else 25),
            username=unquote(parts.username or ""), password=unquote(parts.password or ""),
            ssl=ssl, starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        )


class SmtpMailer:
    """Delivers through an SMTP server."""

    def __init__(self, target: SmtpTarget, sender: str):
        self.target, self.sender = target, sender

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        smtp_class = smtplib.SMTP_SSL if self.target.ssl else smtplib.SMTP
        with smtp_class(self.target.host, self.target.port, timeout=30) as smtp:
            if self.target.starttls:
                smtp.starttls()
            if self.target.username:
                smtp.login(self.target.username, self.target.password)
            smtp.send_message(message)
        log.info("mail to %s sent: %s", to, subject)


class OutboxMailer:
    """Keeps mail on this machine: a row in the outbox table, and a log line without the body."""

    def send(self, *, to: str, subject: str, body: str) -> None:
        from habilita.models import OutboxMessage

        OutboxMessage.create(recipient=to, subject=subject, body=body)
        log.info("mail to %s kept in the outbox: %s", to, subject)


def mailer_for(settings: Settings):
    """The mailer the settings call for; production without SMTP is an error."""
    if settings.smtp_url:
        return SmtpMailer(SmtpTarget.parse(settings.smtp_url), settings.mail_from)
    if settings.is_production:
        raise SettingsError("SMTP_URL is required when HABILITA_ENV=production")
    return OutboxMailer()
