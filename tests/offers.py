"""The one way tests reach a background job offered by a page: GET the file's URL (the offer page with its
button; nothing starts), then press the button (the POST of the page's form): the job's page."""

import gzip
import html
import re

from sqlalchemy import func, select

from blueprints.core.extensions import db
from blueprints.core.jobs import Job

PAGE_BUDGET = 14_000  # bytes gzipped, as every full page

FORM = re.compile(
    r'<form method="post" action="([^"]+)"><input type="hidden" name="csrf_token" value="[^"]*">'
)


def job_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


def offer_page(client, url: str, button: str = "Buat berkas", **kw) -> str:
    """The GET of a job-sized URL: the page that offers the job, with its button; its form's action."""
    page = client.get(url, **kw)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html", (page.status_code, text[:300])
    assert f"<button>{button}</button>" in text and "di latar belakang" in text, text[:2000]
    assert len(gzip.compress(page.get_data(), compresslevel=6)) <= PAGE_BUDGET
    (action,) = FORM.findall(text)
    return html.unescape(action)


def press(client, action: str):
    """Press the offer's button: Post/Redirect/Get to the job's page."""
    pressed = client.post(action)
    assert pressed.status_code == 302 and "/pekerjaan/" in pressed.headers["Location"], pressed.status_code
    return pressed


def start_offered(client, url: str, button: str = "Buat berkas", **kw):
    return press(client, offer_page(client, url, button, **kw))
