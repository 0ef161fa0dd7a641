"""The support console: the stuck-process queue and support's actions, one process or many.

Support and admin act; auditors read. The role is checked on the server for
every POST (``RoleGuarded``), and each action is recorded by the service
with its actor and reason. A bulk action first shows how many processes it
will touch, then reports a result per process.
"""
from __future__ import annotations

import asyncio
from collections import Counter

from flask import current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from habilita.support.actions import Acting, SupportActions, run_bulk
from habilita.messages.stored import as_text
from habilita.processes import DECLARATIONS
from habilita.support.errors import MissingReason
from habilita.support.workers import WorkerPresence, worker_presence
from habilita.support.stuck import (
    ACTIVITY_RETRYING, PROCESS_BLOCKED, PROCESS_FAILED, SIGNALS, SLA_OVERRUN, WORKFLOW_TASK_FAILING, ActivitySignalCache, QueueOptions, filter_queue,
    find_stuck,
)

from .access import RoleGuarded, actor
from .audit import audit
from .forms import CsrfForm

PAGE_SIZE = 50
# Support's actions: the name the audit log records, and the words the console shows.
ACTION_NAMES = {"retry": "retry now", "skip": "skip a step", "reset": "reset to a step", "cancel": "cancel"}
ACTIONS = {
    "retry": _l("retry now"),
    "skip": _l("skip a step"),
    "reset": _l("reset to a step"),
    "cancel": _l("cancel"),
}
# The queue's signals (support.stuck.SIGNALS), as the console names them.
SIGNAL_WORDS = {
    PROCESS_FAILED: _l("failed or terminated"),
    WORKFLOW_TASK_FAILING: _l("workflow task failing"),
    ACTIVITY_RETRYING: _l("activity retrying"),
    SLA_OVERRUN: _l("over its SLA"),
    PROCESS_BLOCKED: _l("stopped until someone acts"),
}
BULK_TIMEOUT_SECONDS = 300


def bridge():
    return current_app.extensions["habilita"].bridge


def signal_cache() -> ActivitySignalCache:
    """One cache of the activity signal per console, shared by its requests."""
    return current_app.extensions.setdefault("habilita_support_activity_cache", ActivitySignalCache())


def load_queue(args, *, presence: bool = False) -> tuple[list, list, WorkerPresence | None]:
    """(the whole queue, the part matching the page's filters, and, if asked, whether a worker serves the
    task queue: asked in the same call to Temporal)."""
    task_queue = current_app.extensions["habilita"].settings.task_queue
    options, cache = QueueOptions(task_queue=task_queue), signal_cache()

    async def ask(client):
        stuck = find_stuck(client, options=options, cache=cache)
        if not presence:
            return await stuck, None
        return await asyncio.gather(stuck, worker_presence(client, task_queue))

    queue, workers = bridge().call(ask, timeout=60)
    shown = filter_queue(queue, signal=args.get("signal", ""), step=args.get("step", ""),
                         process_type=args.get("type", ""))
    return queue, shown, workers


# The steps support may skip or reset to: every declared step of every process, children included, once.
TARGET_STEPS = tuple(dict.fromkeys(name for d in DECLARATIONS.values() for name in d.step_names))

def act_on(action: str, form) -> list:
    """Run ``action`` on every chosen process; one ``ActionResult`` each."""
    acting = Acting(actor=actor(), reason=form.get("reason", ""))
    step, exclude = form.get("step", ""), form.getlist("exclude")

    async def run(client):
        actions = SupportActions(client, identity="habilita-admin")
        one = {
            "retry": lambda wid: actions.retry_now(wid, acting),
            "skip": lambda wid: actions.skip_step(wid, step, acting),
            "reset": lambda wid: actions.reset_to_step(wid, step, acting, exclude=exclude),
            "cancel": lambda wid: actions.cancel(wid, acting),
        }[action]
        return await run_bulk(form.getlist("workflow_id"), one)

    return bridge().call(run, timeout=BULK_TIMEOUT_SECONDS)


class SupportQueueView(RoleGuarded, BaseView):
    write_endpoint = "run"

    @expose("/")
    def index(self):
        queue, shown, workers = load_queue(request.args, presence=True)
        page = max(request.args.get("page", 1, type=int), 1)
        tally = Counter(reason.signal for s in queue for reason in s.reasons)
        counts = {signal: tally[signal] for signal in SIGNALS}
        steps = sorted({s.step for s in queue if s.step})
        return self.render(
            "support/queue.html", shown=shown[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], total=len(shown),
            page=page, pages=max((len(shown) + PAGE_SIZE - 1) // PAGE_SIZE, 1), counts=counts, steps=steps,
            signal_labels=SIGNAL_WORDS, actions=ACTIONS, may_act=self.may_write(), args=request.args,
            target_steps=TARGET_STEPS, no_worker=workers.problem(),
            describe_age=int(signal_cache().ttl_seconds))

    @expose("/preview", methods=["POST"])
    def preview(self):
        """How many processes the action will touch, before it runs."""
        action = request.form.get("action", "")
        if action not in ACTIONS or not CsrfForm(request.form).validate():
            flash(_("The form expired or named no action; nothing was done."), "danger")
            return redirect(url_for(".index"))
        ids = request.form.getlist("workflow_id")
        if request.form.get("scope") == "filtered":
            shown = load_queue(request.form)[1]
            ids = [s.workflow_id for s in shown]
        if not ids:
            flash(_("Choose at least one process."), "warning")
            return redirect(url_for(".index"))
        return self.render("support/confirm.html", action=action, action_label=ACTIONS[action], ids=ids,
                           form=request.form)

    @expose("/run", methods=["POST"])
    def run(self):
        action = request.form.get("action", "")
        if action not in ACTIONS or not CsrfForm(request.form).validate():
            flash(_("The form expired or named no action; nothing was done."), "danger")
            return redirect(url_for(".index"))
        try:
            results = act_on(action, request.form)
        except MissingReason as exc:
            audit(f"support: {ACTION_NAMES[action]}", "process", ",".join(request.form.getlist("workflow_id"))[:200],
                  outcome="refused", reason=as_text(exc.message))
            flash(_("A reason is required: nothing was done."), "danger")
            return redirect(url_for(".index"))
        signal_cache().forget()
        done = sum(r.ok for r in results)
        return self.render("support/results.html", action_label=ACTIONS[action], results=results, done=done)
