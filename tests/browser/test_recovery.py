"""Work is never lost (issue 14 part 8), in a browser without JavaScript: the referral form typed by a clerk
whose session timed out is shown again, filled, after they log in again; nothing was saved meanwhile."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select, update

from blueprints.auth.models import User
from blueprints.core.extensions import db
from blueprints.core.session import UserSession
from blueprints.core.timeutil import utcnow
from blueprints.rujukan.models import Referral
from tests.browser.conftest import PHONE, login

COMPLAINT = "Nyeri dada kiri menjalar ke lengan sejak subuh, keringat dingin"


def _time_out(app, username: str) -> None:
    """The clerk's session was last seen 31 minutes ago (the idle limit is 30)."""
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == uid)
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session.commit()
        db.session.remove()


def _referrals(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Referral))
        db.session.remove()
        return count


def test_the_referral_form_comes_back_after_the_timeout_without_js(login_page, live_app):
    page = login_page("faskes.solok", viewport=PHONE, java_script_enabled=False)
    page.goto("/rujukan/pasien?q=Baharuddin")
    page.get_by_role("link", name="Buat rujukan", exact=True).first.click()
    form_url = page.url
    page.locator("textarea[name=anamnesis]").fill(COMPLAINT)
    page.locator("textarea[name=physical_exam]").fill("Akral dingin", force=True)
    before = _referrals(live_app)
    _time_out(live_app, "faskes.solok")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page).to_have_url(re.compile(r"/masuk"))
    expect(page.locator("body")).to_contain_text("disimpan sementara")
    assert _referrals(live_app) == before
    login(page, "faskes.solok")
    assert page.url == form_url
    expect(page.locator("body")).to_contain_text("Isian Anda dipulihkan, periksa lalu simpan")
    expect(page.locator("textarea[name=anamnesis]")).to_have_value(COMPLAINT)
    expect(page.locator("textarea[name=physical_exam]")).to_have_value("Akral dingin")
    assert _referrals(live_app) == before
    # submitted again with the new session's token: the form's own checks answer (this draft lacks required
    # fields), not the dead-token page, and what was typed is still there
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator("body")).not_to_contain_text("token keamanan")
    expect(page.locator("textarea[name=anamnesis]")).to_have_value(COMPLAINT)
