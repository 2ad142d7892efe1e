"""A small crawler shared by the byte-budget and fuzz tests: it starts at a user's home page and follows links
inside the app, so every new page a module adds is visited without a test naming it."""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIP = re.compile(r"^/(keluar|static/)")

# Every demo account (tests/test_budgets.py checks the demo has no other), the crawls' one list. Admins last: a
# walk that posts their forms with default values resets passwords and ends sessions of the accounts walked before.
DEMO_ACCOUNTS = [
    "operator.solok",
    "operator.sijunjung",
    "verifikator.solok",
    "verifikator.sijunjung",
    "verifikator-nagari.solok",
    "verifikator-nagari.sijunjung",
    "pimpinan.solok",
    "pimpinan.sijunjung",
    "faskes.solok",
    "faskes.sijunjung",
    "faskes.rsud.sijunjung",
    "dinkes.solok",
    "dinkes.sijunjung",
    "kerjasama.solok",
    "kerjasama.sijunjung",
    "admin.sijunjung",
    "superadmin",
    "admin.solok",
]


def links(html: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"#]+)"', html):
        href = href.replace("&amp;", "&")
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or SKIP.match(parts.path):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@dataclass
class FormSpec:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> candidate values (first = default)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type / select / textarea


class _FormParser(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base, self.forms, self.form, self.select = base, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            action = urljoin(self.base, a.get("action") or self.base)
            parts = urlsplit(action)
            self.form = FormSpec(parts.path + (f"?{parts.query}" if parts.query else ""))
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else "textarea"
            if kind in ("submit", "button", "file", "reset", "image"):
                return
            values = self.form.fields.setdefault(a["name"], [])
            if kind in ("checkbox", "radio"):
                values.append(a.get("value", "y"))
            else:
                values.insert(0, a.get("value", ""))
            self.form.kinds.setdefault(a["name"], kind)
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.form.fields.setdefault(self.select, [])
            self.form.kinds[self.select] = "select"
        elif tag == "option" and self.select:
            self.form.fields[self.select].append(a.get("value", ""))
        elif tag == "button" and a.get("name") and a.get("value") is not None:
            self.form.fields.setdefault(a["name"], []).append(a["value"])
            self.form.kinds.setdefault(a["name"], "button")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def post_forms(html: str, base: str) -> list[FormSpec]:
    parser = _FormParser(base)
    parser.feed(html)
    return [f for f in parser.forms if not urlsplit(f.action).netloc and not SKIP.match(f.action)]


def crawl(client, start: str = "/", limit: int = 40, adapter=None, per_endpoint: int = 0):
    """Yield (url, response) for HTML pages reachable from ``start``, breadth first. With a URL ``adapter`` and
    ``per_endpoint``, at most that many URLs of one endpoint are visited (two person pages tell as much as 30)."""
    seen, queue, per = set(), deque([start]), {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        if adapter is not None and per_endpoint:
            try:
                endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
            except Exception:  # noqa: BLE001  (a link the app would answer 404/405 to is still visited once)
                endpoint = url
            per[endpoint] = per.get(endpoint, 0) + 1
            if per[endpoint] > per_endpoint:
                continue
        seen.add(url)
        response = client.get(url)
        yield url, response
        if response.mimetype == "text/html" and response.status_code == 200:
            queue.extend(u for u in links(response.get_data(as_text=True), url) if u not in seen)
