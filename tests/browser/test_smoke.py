"""The browser fixtures work: the live server answers in Chromium, a demo account logs in, JavaScript off too."""

from tests.browser.conftest import PHONE


def test_login_page_is_served(new_page):
    page = new_page()
    page.goto("/masuk")
    assert page.locator("h1").inner_text() == "Masuk ke Sinergi"


def test_demo_account_logs_in_without_javascript(login_page):
    page = login_page("operator.solok", viewport=PHONE, java_script_enabled=False)
    assert page.locator("header .me").inner_text().startswith("Operator")
