"""The development outbox: the mail the stack would have sent, newest first.

It holds password-reset links, which open any account, so it exists only
on the local dev stack (``HABILITA_DEV_STACK``, set by ``habilita dev``)
when no SMTP server is configured, and only an administrator may read it
(``read_dev_outbox`` in the permissions table); anyone else is sent to the
login page or refused. It is never part of a
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
