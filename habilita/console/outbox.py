"""The development outbox: the mail the stack would have sent, newest first.

Registered only when no SMTP server is configured outside production, so a
person can follow a password-reset link on a laptop; it is not part of a
deployed console.
"""
from __future__ import annotations

from flask import Blueprint, render_template

from habilita.models import OutboxMessage

bp = Blueprint("outbox", __name__, url_prefix="/dev")


@bp.route("/outbox")
def messages():
    mail = OutboxMessage.select().order_by(OutboxMessage.id.desc()).limit(50)
    return render_template("habilita/outbox.html", mail=list(mail))
