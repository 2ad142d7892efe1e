"""The referral form's "second page" hint (issue 14 part 2) follows the typed text with htmx: a long anamnesis
typed on the form brings the hint by the text areas without a page load; shortened again, it goes."""

import re

from playwright.sync_api import expect


def test_second_page_hint_follows_the_text(login_page):
    page = login_page("faskes.solok")
    page.goto("/rujukan/pasien?q=Baharuddin")
    page.get_by_role("link", name="Buat rujukan", exact=True).first.click()
    page.evaluate("() => { window.stillHere = true }")  # gone if the browser loaded a new page
    hint = page.locator("#letter-fit")
    expect(hint).to_have_text("")
    words = " ".join(f"kata{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}" for n in range(1400))
    for label in (r"^Anamnesa", r"^Pemeriksaan fisik"):
        page.get_by_label(re.compile(label)).fill(words)
    page.get_by_label(re.compile(r"^Anamnesa")).blur()
    page.get_by_label(re.compile(r"^Pemeriksaan fisik")).blur()
    expect(hint).to_contain_text("akan dicetak 2 halaman")
    page.get_by_label(re.compile(r"^Anamnesa")).fill("Sesak napas")
    page.get_by_label(re.compile(r"^Pemeriksaan fisik")).fill("Ronki basah")
    page.get_by_label(re.compile(r"^Pemeriksaan fisik")).blur()
    page.get_by_label(re.compile(r"^Anamnesa")).focus()
    expect(hint).to_have_text("")
    assert page.evaluate("() => window.stillHere === true")
