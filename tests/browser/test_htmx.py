"""The vendored htmx 4 honours the valid ``data-hx-*`` spelling (and ``data-hx-headers-inherited``, with the
``metaCharacter`` of base.html's htmx-config): typing in the SIDILAN search swaps the list in place, and the
request carries the page's CSRF header."""


def test_data_hx_search_swaps_the_list_and_sends_the_csrf_header(login_page):
    page = login_page("operator.solok")
    page.goto("/sidilan/")
    page.evaluate("() => { window.stillHere = true }")  # gone if the browser loaded a new page
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true") as request:
        page.fill("#q", "zzzz-tidak-ada")
    sent = request.value
    assert "/sidilan/" in sent.url and "q=zzzz-tidak-ada" in sent.url
    assert sent.headers.get("x-csrftoken"), "data-hx-headers-inherited on <body> was not applied"
    page.locator("#daftar-orang", has_text="Tidak ada data yang cocok.").wait_for()
    assert page.evaluate("() => window.stillHere === true")
    assert "q=zzzz-tidak-ada" in page.url  # data-hx-push-url
