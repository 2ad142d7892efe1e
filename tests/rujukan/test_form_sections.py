"""Issue 11 items 5-6 on the referral form: Enter in an ICD-10 search box runs that search (never another
button, never a save, the chosen diagnosis kept), and the long form is numbered sections with a summary of what
is filled; optional sections are collapsed unless they hold a value or an error. Plain HTTP, as without JS."""

import re

from sqlalchemy import func, select
from wtforms.fields.core import UnboundField

from blueprints.core.extensions import db
from blueprints.rujukan.forms import ReferralForm
from blueprints.rujukan.models import Referral

from .conftest import form_data, patient_named


def _new_url(app):
    with app.app_context():
        return f"/rujukan/pasien/{patient_named('Baharuddin').id}/rujukan/baru"


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Referral.id)))


def _referral_form(html: str) -> str:
    start = html.index('<form method="post" action="/rujukan/pasien/')
    return html[start : html.index("</form>", start)]


def _submit_buttons(form_html: str) -> list[str]:
    """The form's submit buttons in tree order (a <noscript> button counts: with JS off it is markup)."""
    return [b for b in re.findall(r"<button[^>]*>", form_html) if 'type="button"' not in b]


def _value(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)


def _section(html: str, title: str) -> str:
    start = html.index(f"<legend>{title}")
    return html[html.rindex("<fieldset", 0, start) : html.index("</fieldset>", start)]


def test_the_first_submit_button_is_the_search(app, faskes):
    """HTML implicit submission: Enter in a text box clicks the form's first submit button."""
    form = _referral_form(faskes.get(_new_url(app)).text)
    buttons = _submit_buttons(form)
    assert 'name="_icd" value="enter"' in buttons[0]
    assert any('name="_tujuan"' in b for b in buttons[1:])  # the no-JS poli refresh comes later
    assert form.index('name="_icd" value="enter"') < form.index('name="diag_q1"')


def test_enter_in_a_search_box_searches_and_keeps_the_chosen_diagnosis(app, faskes):
    url = _new_url(app)
    before = _count(app)
    # diagnosis 1 already chosen; Enter in the box of slot 2 (the browser sends the first button: _icd=enter)
    resp = faskes.post(url, data=form_data(app, diag1="I50.0", diag_q2="pharyngitis", _icd="enter"))
    assert resp.status_code == 200 and _count(app) == before  # nothing saved
    assert _value(resp.text, "diag1") == "I50.0" and "Gagal jantung kongestif" in resp.text
    assert 'name="diag2_pick" value="J02.9"' in resp.text and 'name="diag1_pick"' not in resp.text
    assert _value(resp.text, "diag_q2") == "pharyngitis"


def test_enter_after_a_pick_takes_the_pick_and_searches_only_the_new_box(app, faskes):
    url = _new_url(app)
    data = form_data(app, diag1="", diag1_pick="I50.1", diag_q1="heart failure", diag_q2="pharyngitis")
    resp = faskes.post(url, data={**data, "_icd": "enter"})
    assert resp.status_code == 200
    assert _value(resp.text, "diag1") == "I50.1"  # the picked result is kept in its slot
    assert 'name="diag1_pick"' not in resp.text and 'name="diag2_pick" value="J02.9"' in resp.text
    assert _value(resp.text, "diag_q1") == ""  # that search is done; a later Enter does not repeat it
    nothing = faskes.post(url, data=form_data(app, diag1="I50.1", diag_q1="zzqx", _icd="enter"))
    assert nothing.status_code == 200 and 'Tidak ada kode ICD-10 yang cocok dengan "zzqx"' in nothing.text
    saved = faskes.post(url, data=form_data(app, diag1="I50.1"))
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Referral).order_by(Referral.id.desc())).first().diag1_code == "I50.1"


def test_sections_say_what_is_filled_and_optional_ones_open_only_when_needed(app, faskes):
    url = _new_url(app)
    page = faskes.get(url).text
    legends = re.findall(r"<legend>(\d+)\. ", _referral_form(page))
    assert legends == [str(n) for n in range(1, 12)]  # one page, numbered sections in order
    assert "0 dari 2 terisi" in _section(page, "2. Anamnesa")
    vitals = _section(page, "3. Tanda vital")
    assert "<details><summary>" in vitals and 'name="pulse"' in vitals  # collapsed, still in the form
    assert "<details><summary>" in _section(page, "10. Telepon IGD")
    # a value or an error opens an optional section; the summary counts what is filled
    bad = faskes.post(url, data=form_data(app, pulse="999", anamnesis=""))
    assert bad.status_code == 422
    vitals = _section(bad.text, "3. Tanda vital")
    assert "<details open>" in vitals and "ada yang perlu diperbaiki" in vitals
    assert "8 dari 9 terisi" in vitals and "1 dari 2 terisi" in _section(bad.text, "2. Anamnesa")
    igd = faskes.post(url, data=form_data(app, jenis="igd", _icd="enter")).text
    assert "<details open>" in _section(igd, "10. Telepon IGD")


def _focus_and_first_invalid(form: str) -> tuple[list[str], list[str]]:
    """The names of the controls with autofocus and of those marked invalid, in page order."""
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    focused = [re.search(r'name="([^"]+)"', c).group(1) for c in controls if re.search(r"\sautofocus\b", c)]
    invalid = [re.search(r'name="([^"]+)"', c).group(1) for c in controls if 'aria-invalid="true"' in c]
    return focused, invalid


def test_focus_goes_to_the_first_error_in_page_order(app, faskes):
    """The sections put "Keadaan saat dirujuk" before TACC, unlike the form class: focus follows the page."""
    resp = faskes.post(_new_url(app), data=form_data(app, diag1="J02.9", condition="x" * 2001))
    assert resp.status_code == 422
    focused, invalid = _focus_and_first_invalid(_referral_form(resp.text))
    assert invalid[:1] == ["condition"] and "tacc" in invalid
    assert focused == ["condition"]


def declared_fields(form_class) -> list[str]:
    """A WTForms class's field names in declaration order."""
    unbound = [(n, f) for n, f in vars(form_class).items() if isinstance(f, UnboundField)]
    return [n for n, f in sorted(unbound, key=lambda nf: nf[1].creation_counter)]


def test_page_order_names_the_fields_as_the_page_shows_them(app, faskes):
    """PAGE_ORDER (the first-error focus) is the order of the sections, and names every field of the form."""
    form = _referral_form(faskes.get(_new_url(app)).text)
    names = list(dict.fromkeys(re.findall(r'<(?:input|select|textarea)\b[^>]*name="([^"]+)"', form)))
    assert sorted(ReferralForm.PAGE_ORDER) == sorted(declared_fields(ReferralForm))
    assert [n for n in names if n in ReferralForm.PAGE_ORDER] == list(ReferralForm.PAGE_ORDER)
