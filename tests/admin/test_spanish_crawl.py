"""A crawl of the console as each role, on the dev server with processes under way: every page
reachable from the home answers without a 5xx and reads in Spanish (no English sentence, no English
word the catalog translates)."""
from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse

import pytest
from babel.messages.pofile import read_po

from tests.admin.test_catalog import CATALOG
from tests.admin.test_process_pages import in_thread, registration, start_p1

from habilita.models import User

from tests.channels.conftest import erp_simulator  # noqa: F401 (a fixture)
from tests.harness import test_settings

from .conftest import sign_in

# Words that are English and never Spanish; two in one piece of text make it an English sentence.
ENGLISH_WORDS = frozenset("""the and of is are your with this that from has have been yet keep to for will was be it
on in by an or not at as its which when there their can may must should does did only than""".split())
# What is data, not the console's words: e-mails, URLs and paths, ids, numbers.
DATA = re.compile(r"\S+@\S+|https?://\S+|/\S*|\b[\w-]*\d[\w-]*\b")
SKIPPED_TAGS = {"script", "style", "code", "pre", "textarea"}
PAGE_LIMIT = 80
VARIANTS = {"sort", "desc", "page_size", "url", "page"}


def single_english_words() -> frozenset[str]:
    """One-word msgids the Spanish catalog says otherwise ("Running", "Save"): shown as they are, untranslated."""
    with open(CATALOG / "messages.po", "rb") as po:
        catalog = read_po(po)
    return frozenset(m.id for m in catalog if m.id and m.string and m.string != m.id and " " not in m.id.strip())


class VisibleText(HTMLParser):
    """The text a person reads (and the titles and placeholders), and the links to follow."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.texts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self.texts += [attributes[k] for k in ("title", "placeholder", "aria-label") if attributes.get(k)]
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.texts.append(attributes["value"])
        if tag not in ("br", "input", "img", "meta", "link", "hr", "col"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if data.strip() and not SKIPPED_TAGS & set(self.open):
            self.texts.append(" ".join(data.split()))


def english_in(text: str, single_words: frozenset[str]) -> bool:
    if text in single_words:
        return True
    words = set(re.findall(r"[a-z]+", DATA.sub(" ", text).lower()))
    return len(words & ENGLISH_WORDS) >= 2


def crawl(browser, single_words):
    """(url, status, English texts) for every console page reachable from the home, breadth first."""
    seen, queue, found = set(), ["/admin/"], []
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        answer = browser.get(url)
        english = []
        if answer.status_code == 200 and "html" in answer.content_type:
            page = VisibleText()
            page.feed(answer.get_data(as_text=True))
            english = [t[:160] for t in page.texts if english_in(t, single_words)]
            for link in page.links:
                target = urlparse(urljoin(url, link))
                if target.netloc or not target.path.startswith("/admin") or "/export" in target.path:
                    continue
                # A list sorted or paged another way, or a form reached from another list, is the same page.
                query = urlencode([(k, v) for k, v in parse_qsl(target.query) if k not in VARIANTS])
                queue.append(target.path + (f"?{query}" if query else ""))
        found.append((url, answer.status_code, english))
    return found


@pytest.fixture
def settings(tmp_path, erp_simulator):  # noqa: F811
    """The test's settings, with the ERP simulator the sales channel's connection checks its credentials at."""
    return test_settings(tmp_path, ERP_URL=erp_simulator.url)


async def channel_connected(client, task_queue, company, erp_simulator) -> str:  # noqa: F811
    """A sales channel connected through its three steps (without automatic invoicing), its invoicing stopped,
    with an order in each state (tests/admin/test_channel_pages.py): its pages are crawled too."""
    from habilita.messages import Message
    from habilita.messages.stored import as_text
    from habilita.models import ChannelConnection
    from habilita.workflows.channel_connection import ConnectWithoutInvoicing, SalesChannelConnection
    from tests.channels_connection.conftest import ACTOR, P4

    from .test_channel_pages import WORKFLOW_ID, add_orders

    erp_simulator.admin.create_company(nit=company.tax_id)
    p4 = P4(client, task_queue, company, workflow_id=WORKFLOW_ID)
    await p4.to_automatic_invoicing()
    await p4.handle.execute_update(SalesChannelConnection.connect_without_invoicing, ConnectWithoutInvoicing(ACTOR))
    await p4.wait_step("connected")
    add_orders(p4.row())
    ChannelConnection.update(invoicing_stopped_reason=as_text(Message("channels.stop_rate_limited"))).execute()
    return WORKFLOW_ID


@pytest.fixture
def processes_under_way(live_app, users, worker, company, client, task_queue, erp_simulator):  # noqa: F811
    """P1 at its certificate step, with history, and a connected sales channel, for the crawl to read."""
    browser = live_app.test_client()
    assert sign_in(browser, "onboarding@habilita.test").status_code == 302

    async def start():
        workflow_id = await start_p1(browser, company)
        assert (await registration(browser, workflow_id)).status_code == 302
        refused = await registration(browser, workflow_id, pin="12")  # a refusal in the audit log
        assert refused.status_code in (200, 302)
        await channel_connected(client, task_queue, company, erp_simulator)
        return workflow_id

    return start


@pytest.mark.parametrize("role", ["onboarding", "support", "auditor", "admin"])
async def test_every_page_reachable_from_the_home_reads_in_spanish_without_a_server_error(
        live_app, processes_under_way, role):
    workflow_id = await processes_under_way()
    User.update(name="Ana Pérez").execute()  # a person's name is data; "Onboarding" would read as the role's word
    browser = live_app.test_client()
    assert (await in_thread(sign_in, browser, f"{role}@habilita.test")).status_code == 302
    await in_thread(browser.get, "/admin/company/new/")  # a refused page for some roles: an audit row to read
    pages = await in_thread(crawl, browser, single_english_words())
    visited = {url for url, _, _ in pages}
    assert {"/admin/", f"/admin/process/{workflow_id}", f"/admin/history/{workflow_id}", "/admin/auditevent/",
            "/admin/processrecord/", "/admin/company/", "/admin/channels/", "/admin/channels/channels-CO-900123456",
            "/admin/channels/channels-CO-900123456?state=error"} <= visited, visited
    assert len(pages) < PAGE_LIMIT, "the crawl stopped before it saw every page"
    assert not [(u, s) for u, s, _ in pages if s >= 500]
    untranslated = {text: url for url, _, texts in pages for text in texts}
    assert not untranslated, "\n".join(f"{url}: {text}" for text, url in untranslated.items())


def test_the_detector_finds_english_and_passes_spanish():
    single = single_english_words()
    assert english_in("Waiting", single) and english_in("DIAN has no numbering range for the company yet", single)
    assert not english_in("Esperando a la DIAN: el rango de numeración aún no aparece", single)
    assert not english_in("Panadería La Espiga SAS · einvoicing-CO-900123456 · onboarding@habilita.test", single)
