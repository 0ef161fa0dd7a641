"""The chart of accounts a P3 process posts to, for the account pickers of its forms.

Read from the accounting company the process's request names (the chart the
workflow validates against is the same rows), searched by code prefix or by
name, or browsed one level at a time from the top.
"""
from __future__ import annotations

from habilita.models.accounting import Account, IntegrationRequest

LIMIT = 50


def ledger_of(workflow_id: str) -> int | None:
    request = IntegrationRequest.get_or_none(IntegrationRequest.workflow_id == workflow_id)
    return request.accounting_company_id if request is not None else None


def accounts(ledger_id: int, *, text: str = "", parent: str = "") -> list[dict]:
    """Accounts whose code starts with ``text`` or whose name holds it; else the children of ``parent``
    (the chart's top level when empty). Each says whether it takes postings and whether it has children."""
    query = Account.select(Account.code, Account.name, Account.level, Account.postable).where(
        Account.accounting_company == ledger_id)
    text = text.strip()
    if text:
        query = query.where(Account.code.startswith(text) | Account.name.contains(text))
    else:
        query = query.where(Account.parent_code == parent.strip())
    found = list(query.order_by(Account.code).limit(LIMIT).tuples())
    parents = {code for (code,) in Account.select(Account.parent_code).where(
        (Account.accounting_company == ledger_id) & Account.parent_code.in_([f[0] for f in found])).tuples()}
    return [{"code": code, "name": name, "level": level, "postable": bool(postable), "children": code in parents}
            for code, name, level, postable in found]
