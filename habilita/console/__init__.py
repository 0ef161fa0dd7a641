"""The staff console: a Flask app with Flask-Admin views over the models.

The console reads ``models`` and talks to Temporal through one
:class:`~habilita.console.temporal_bridge.TemporalBridge`; it never writes process state.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from temporalio.service import RPCError, RPCStatusCode
from werkzeug.middleware.proxy_fix import ProxyFix

from habilita.models.database import open_database
from habilita.adapters.mail import OutboxMailer, mailer_for
from habilita.adapters.secrets_box import SecretBox
from habilita.settings import Settings
from habilita.models import AuditEvent, Company, ProcessRecord, User
from habilita.models.passwords import MIN_PASSWORD_LENGTH

from . import auth, company_link, outbox
from .access import enforce_permissions, login_manager, may_request
from .speech import words
from .forms import CsrfForm
from .history_views import HistoryView
from .log_redaction import keep_reset_tokens_out_of
from .messages import say, shown
from .security_headers import csp_nonce, send_security_headers
from .sessions import limit_session_lifetimes
from habilita.console.processes.labels import (
    button_label, document_status_label, field_label, status_label, step_label, waiting_label,
)
from .support_views import SupportQueueView
from .temporal_bridge import TemporalBridge, TemporalUnavailable
from .timed_cache import TimedCache
from habilita.console.views.audit_log import AuditLogView
from habilita.console.views.channels import ChannelsView
from habilita.console.views.companies import CompanyView, processes_of, startable_kinds
from habilita.console.views.company_import import CompanyImportView
from habilita.console.views.home import HomeView, kind_label
from habilita.console.views.process_list import ProcessListView, age, process_list_url
from habilita.console.views.process_page import ProcessPageView
from habilita.console.views.users import UserView, role_names

HERE = Path(__file__).parent
TRANSLATIONS = HERE.parent / "translations"
# The home page's indicators may be this many seconds old (cards and notices are live).
INDICATORS_TTL_SECONDS = 15
# Large enough that a too-big letter reaches the form and gets a clear answer.
MAX_REQUEST_BYTES = 8 * 1024 * 1024

log = logging.getLogger(__name__)


@dataclass
class Console:
    """What the views share: settings, the Temporal bridge and the mailer."""

    settings: Settings
    bridge: TemporalBridge
    mailer: object
    indicators: TimedCache

    @functools.cached_property
    def box(self) -> SecretBox:
        """The application key's box: the letters a person uploads or downloads are sealed with it."""
        return SecretBox(self.settings.encryption_key)


def create_app(settings: Settings | None = None, *, temporal_client_factory=None, test_config: dict | None = None) -> Flask:
    """Build the console.

    ``temporal_client_factory`` is an async callable returning a connected
    client (tests pass the test environment's); by default the bridge
    connects with the settings once, on first use.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    if settings.trusted_proxies:
        # The client's address and scheme as the trusted proxies saw them, never as the client claims.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Production is served over HTTPS; the dev stack over plain http on loopback.
        SESSION_COOKIE_SECURE=settings.is_production,
        BABEL_DEFAULT_LOCALE=settings.admin_locale,
        BABEL_DEFAULT_TIMEZONE="UTC",
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
        INDICATORS_TTL_SECONDS=INDICATORS_TTL_SECONDS,
    )
    app.config.update(test_config or {})

    database = open_database(settings.database_url)
    if temporal_client_factory is None:
        from habilita.adapters.temporal import connect

        def temporal_client_factory():
            return connect(settings, identity="habilita-admin")
    mailer = mailer_for(settings)
    app.extensions["habilita"] = Console(settings, TemporalBridge(temporal_client_factory), mailer,
                                         TimedCache(app.config["INDICATORS_TTL_SECONDS"]))

    Babel(app, locale_selector=lambda: settings.admin_locale)
    login_manager.init_app(app)
    login_manager.login_message = _l("Log in to continue.")
    _register_views(app)
    _register_templates(app)
    _manage_connections(app, database)
    limit_session_lifetimes(app, idle=dt.timedelta(minutes=settings.session_idle_minutes),
                            longest=dt.timedelta(hours=settings.session_max_hours))
    send_security_headers(app, https_only=settings.is_production)
    # After the database and the session checks, before any view: the permissions table decides.
    app.before_request(enforce_permissions)
    # The request log, the error log, and peewee's query log at DEBUG (an outbox row holds a link).
    keep_reset_tokens_out_of(logging.getLogger("werkzeug"), app.logger, logging.getLogger("peewee"))
    if settings.dev_stack and isinstance(mailer, OutboxMailer):
        app.register_blueprint(outbox.bp)
    return app


def _register_views(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(company_link.blueprint)
    app.register_blueprint(_console_static())
    admin = Admin(
        app, name="Habilita", url="/admin",
        index_view=HomeView(name=_l("Home"), url="/admin", menu_icon_type="fa", menu_icon_value="fa-home"),
        theme=Bootstrap4Theme(base_template="habilita/base.html", fluid=True),
        translations_path=str(TRANSLATIONS),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(CompanyView(Company, name=_l("Companies"), endpoint="company"))
    admin.add_view(ProcessListView(ProcessRecord, name=_l("Processes"), endpoint="processrecord"))
    admin.add_view(ProcessPageView(name=_l("Process"), endpoint="process", url="/admin/process"))
    admin.add_view(ChannelsView(name=_l("Sales channels"), endpoint="channels", url="/admin/channels"))
    admin.add_view(AuditLogView(AuditEvent, name=_l("Audit log"), endpoint="auditevent"))
    admin.add_view(SupportQueueView(name=_l("Stuck processes"), endpoint="support", url="/admin/support"))
    admin.add_view(HistoryView(name=_l("History"), endpoint="history", url="/admin/history"))
    admin.add_view(CompanyImportView(name=_l("Import companies"), endpoint="company_import", url="/admin/import"))
    admin.add_view(UserView(User, name=_l("Users"), endpoint="user"))

    @app.route("/")
    def root():
        return redirect(url_for("admin.index"))

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("habilita/error.html", code=403,
                               message=_l("Your role does not allow this. Nothing was changed.")), 403

    @app.errorhandler(TemporalUnavailable)
    @app.errorhandler(concurrent.futures.TimeoutError)
    def temporal_unavailable(error):
        return temporal_down(error)

    @app.errorhandler(RPCError)
    def temporal_refused(error: RPCError):
        if error.status not in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise error
        return temporal_down(error)

    @app.errorhandler(413)
    def too_large(error):
        return render_template("habilita/error.html", code=413,
                               message=_l("The file is too large to receive; nothing was stored.")), 413


def temporal_down(error):
    """A page that needed Temporal while it did not answer: 503, in words, nothing done."""
    log.warning("Temporal did not answer %s %s: %s", request.method, request.path, error)
    return render_template("habilita/error.html", code=503, message=_l(
        "Temporal, where processes run, is not answering right now; nothing was done. "
        "Try again in a moment.")), 503


def _console_static() -> Blueprint:
    return Blueprint("console", __name__, static_folder="static", static_url_path="/console-static")


def csrf_token() -> str:
    """A CSRF token for hand-written POST buttons (log out, start a process)."""
    return CsrfForm().csrf_token.current_token


def _register_templates(app: Flask) -> None:
    app.jinja_env.globals.update(
        step_label=step_label, status_label=status_label, waiting_label=waiting_label, kind_label=kind_label,
        button_label=button_label,
        field_label=field_label, processes_of=processes_of, startable_kinds=startable_kinds, age=age,
        csrf_token=csrf_token, process_list_url=process_list_url, role_names=role_names,
        say=say, shown=shown, document_status_label=document_status_label, password_minimum=MIN_PASSWORD_LENGTH,
        may_request=may_request, choice_label=lambda value: words("choice", value),
        choice_hint=lambda value: words("choice_hint", value),
    )


def _manage_connections(app: Flask, database) -> None:
    # The threaded server runs each request on its own thread; peewee keeps a
    # connection per thread, so each request opens and closes its own.
    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()
