"""A failed submit, as a screen-reader user meets it: aria-invalid="true" only on the fields with an error, each
pointing (aria-describedby) at the element that holds its message, and focus on the first of them (the server
sets autofocus there, so it works without JavaScript)."""

from contextlib import suppress

import pytest

STATE_JS = """() => {
  const form = document.querySelector('main form[method=post]');
  const fields = Array.from(form.querySelectorAll('input, select, textarea'));
  const describedBy = el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  return {
    invalidValues: fields.filter(el => el.hasAttribute('aria-invalid')).map(el => el.getAttribute('aria-invalid')),
    invalid: fields.filter(el => el.getAttribute('aria-invalid') === 'true').map(el => el.name),
    described: fields.filter(el => el.getAttribute('aria-invalid') === 'true').map(el => ({
      name: el.name,
      texts: describedBy(el).map(id => document.getElementById(id)).filter(m => m && m.querySelector('.err'))
        .map(m => m.textContent.trim()),
    })),
    // every message is named by the aria-describedby of a field marked invalid
    orphans: Array.from(form.querySelectorAll('.err')).filter(m => !fields.some(el =>
      el.getAttribute('aria-invalid') === 'true' && describedBy(el).includes(m.parentElement.id)))
      .map(m => m.textContent),
    focused: document.activeElement && document.activeElement.name,
    firstInvalid: (fields.find(el => el.getAttribute('aria-invalid') === 'true') || {}).name,
  };
}"""


SUBMIT = "main form[method=post] button:not([name])"
FOCUS_SETTLED_JS = "() => document.activeElement && document.activeElement !== document.body"


def _submit_empty(page, url):
    """Open ``url`` and send its form empty, past the browser's own required-field check (as an old browser
    or a tampered request would: the server's answer is what is tested)."""
    page.goto(url)
    page.evaluate("() => { document.querySelector('main form[method=post]').noValidate = true }")
    with page.expect_navigation():
        page.locator(SUBMIT).first.click()
    # the browser runs autofocus at its next rendering step, which on a busy machine can come after "load"
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with suppress(PlaywrightTimeoutError):  # no field took the focus: the state below says which should have
        page.wait_for_function(FOCUS_SETTLED_JS, timeout=3000)
    return page.evaluate(STATE_JS)


def _assert_error_state(state, expected_some):
    assert state["invalidValues"] and set(state["invalidValues"]) == {"true"}, state["invalidValues"]
    assert set(expected_some) <= set(state["invalid"]), state["invalid"]
    for entry in state["described"]:
        assert entry["texts"] and all(entry["texts"]), f"{entry['name']}: aria-describedby names no message"
    assert not state["orphans"], f"messages of no invalid field: {state['orphans']}"
    assert state["focused"] == state["firstInvalid"], state


def test_login_with_empty_fields(new_page):
    state = _submit_empty(new_page(), "/masuk")
    _assert_error_state(state, ["username", "password"])
    assert state["invalid"] == ["username", "password"]


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_sidilan_person_form_sent_empty(login_page, js):
    page = login_page("operator.solok", java_script_enabled=js)
    state = _submit_empty(page, "/sidilan/orang/baru")  # novalidate: the server checks
    _assert_error_state(state, ["nama_lengkap", "jenis_kelamin"])
    assert "nama_panggilan" not in state["invalid"]


@pytest.mark.parametrize(
    "username, url",
    [
        ("faskes.solok", "/rujukan/pasien/baru"),
        ("kerjasama.solok", "/pks/baru"),
        ("admin.solok", "/admin/pengguna/baru"),
    ],
)
def test_other_create_forms_sent_empty(login_page, username, url):
    state = _submit_empty(login_page(username, java_script_enabled=False), url)
    assert state["invalid"], f"{url}: sent empty, no field is marked invalid"
    _assert_error_state(state, [])
