"""Who may do what in the console: the one table the server enforces on every request.

``PERMISSIONS`` names each thing a person may do and the roles that may do it
(``admin`` holds every permission but ``NOBODY``). ``ROUTES`` gives every
console endpoint the permission that reading it (GET) and sending to it (POST)
needs. A request is checked against ``ROUTES`` before any view runs
(``enforce``): an endpoint missing from the table is refused to everyone, so a
new page is closed until it is written here. Views read the same table to
offer only the buttons that would be accepted.
"""
from __future__ import annotations

from dataclasses import dataclass

# Anyone, signed in or not: getting in, static files, the company's invitation page
# (its link is the credential, checked by the page itself).
PUBLIC = "public"
# Nobody, not even an administrator: Flask-Admin operations the console does not offer
# (an audit row is never created, edited or deleted; a process changes only through its workflow).
NOBODY = "nobody"

READERS = ("onboarding", "support", "auditor")

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "see_work": READERS,  # home, search, companies, processes, a process's page and history
    "see_audit_log": READERS,
    "see_support_queue": ("support", "auditor"),
    "act_as_support": ("support",),  # retry, resume, reset, skip, cancel, one or in bulk
    "drive_steps": ("onboarding",),  # the human steps of a process
    "start_processes": ("onboarding",),
    "invite_companies": ("onboarding",),
    "edit_companies": ("onboarding",),
    "import_companies": ("onboarding",),
    "download_documents": ("onboarding",),  # letters and certificates: identity documents
    "invoice_orders": ("onboarding",),  # a sales channel's orders: "Facturar", one or in bulk, and the ERP's SKUs
    "manage_users": (),
    "read_dev_outbox": (),  # the dev stack's mail, reset links included
}


@dataclass(frozen=True)
class Route:
    """What reading (GET, HEAD) and sending (POST) an endpoint need."""

    read: str
    send: str = NOBODY


def _model_view(endpoint: str, *, read: str, write: str = NOBODY, details: bool = True,
                export: bool = False) -> dict[str, Route]:
    """A Flask-Admin model view's endpoints; their forms (GET) need the write permission too."""
    return {
        f"{endpoint}.index_view": Route(read),
        f"{endpoint}.ajax_lookup": Route(read),
        f"{endpoint}.details_view": Route(read if details else NOBODY),
        f"{endpoint}.export": Route(read if export else NOBODY),
        f"{endpoint}.create_view": Route(write, write),
        f"{endpoint}.edit_view": Route(write, write),
        f"{endpoint}.delete_view": Route(NOBODY, NOBODY),
        f"{endpoint}.action_view": Route(NOBODY, NOBODY),
        f"{endpoint}.ajax_update": Route(NOBODY, NOBODY),
    }


ROUTES: dict[str, Route] = {
    "root": Route(PUBLIC),
    "console.static": Route(PUBLIC),
    "admin.static": Route(PUBLIC),
    "auth.login": Route(PUBLIC, PUBLIC),
    "auth.forgot_password": Route(PUBLIC, PUBLIC),
    "auth.reset_password": Route(PUBLIC, PUBLIC),
    "auth.logout": Route(NOBODY, PUBLIC),  # signing out ends one's own session, whatever the role
    "auth.profile": Route(PUBLIC, PUBLIC),  # one's own password; the page asks for login itself
    "company_link.page": Route(PUBLIC),
    "company_link.download": Route(PUBLIC),
    "company_link.act": Route(NOBODY, PUBLIC),
    "admin.index": Route("see_work"),
    "admin.search": Route("see_work"),
    **_model_view("company", read="see_work", write="edit_companies"),
    **_model_view("processrecord", read="see_work", details=False, export=True),
    **_model_view("auditevent", read="see_audit_log", details=False, export=True),
    **_model_view("user", read="manage_users", write="manage_users"),
    "process.index": Route("see_work"),
    "process.page": Route("see_work"),
    "process.act": Route(NOBODY, "drive_steps"),
    "process.start": Route(NOBODY, "start_processes"),
    "process.invite": Route(NOBODY, "invite_companies"),
    "process.revoke_invitation": Route(NOBODY, "invite_companies"),
    "process.download": Route("download_documents"),
    "process.accounts": Route("see_work"),
    "history.index": Route("see_work"),
    "history.page": Route("see_work"),
    "history.export": Route("see_work"),
    "history.original": Route("see_work"),
    "support.index": Route("see_support_queue"),
    "support.preview": Route(NOBODY, "act_as_support"),
    "support.run": Route(NOBODY, "act_as_support"),
    "company_import.index": Route("import_companies", "import_companies"),
    "company_import.job": Route("import_companies"),
    "company_import.progress": Route("import_companies"),
    "outbox.messages": Route("read_dev_outbox"),
    # Sales channels (P4): the connections, their three tabs (the process's updates) and their orders.
    "channels.index": Route("see_work"),
    "channels.connect": Route(NOBODY, "start_processes"),
    "channels.page": Route("see_work"),
    "channels.act": Route(NOBODY, "drive_steps"),
    "channels.cities": Route("see_work"),
    "channels.sku_match": Route("invoice_orders"),
    "channels.invoice": Route(NOBODY, "invoice_orders"),
    "channels.invoice_selected": Route(NOBODY, "invoice_orders"),
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def permission_for(endpoint: str | None, method: str) -> str:
    """The permission a request needs; an endpoint the table does not know needs one nobody has."""
    route = ROUTES.get(endpoint or "")
    if route is None:
        return NOBODY
    return route.read if method in SAFE_METHODS else route.send


def role_may(roles, permission: str) -> bool:
    """Whether someone holding ``roles`` has ``permission`` (an administrator has all but NOBODY)."""
    if permission == PUBLIC:
        return True
    if permission == NOBODY or permission not in PERMISSIONS:
        return False
    return "admin" in roles or any(role in roles for role in PERMISSIONS[permission])


def roles_with(permission: str) -> tuple[str, ...]:
    """Every role that has ``permission``, for tests and the users page."""
    from habilita.models import ROLES

    return tuple(role for role in ROLES if role_may((role,), permission))
