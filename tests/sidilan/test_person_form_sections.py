"""Issue 11 item 6 on the SIDILAN person form: one page of numbered sections, each saying what is filled; the
optional ones are collapsed (<details>) unless they hold a value or an error; it still submits once, no JS."""

import re

from wtforms.fields.core import UnboundField

from blueprints.core.extensions import db
from blueprints.sidilan.forms import PersonForm
from blueprints.sidilan.models import Person

from .conftest import person_by_name, person_id_of


def _form(html: str) -> str:
    start = html.index('<form method="post" action="/sidilan/orang/')
    return html[start : html.index("</form>", start)]


def _section(html: str, title: str) -> str:
    start = html.index(f"<legend>{title}")
    end = html.index("</details>", start) if "<details" in html[start : start + 400] else start + 20000
    return html[html.rindex("<fieldset", 0, start) : end]


def test_new_form_sections_in_order_with_optional_ones_collapsed(app, client, auth):
    auth.login("operator.solok")
    form = _form(client.get("/sidilan/orang/baru").text)
    assert re.findall(r"<legend>(\d)\. ", form) == list("1234567")
    assert "0 dari 4 terisi" in _section(form, "1. Identitas")
    for title in ("3. Kartu keluarga", "4. Data diri lain", "5. Pendamping", "6. Status dan kepesertaan"):
        assert "<details><summary>" in _section(form, title), title  # collapsed: defaults are not values
    for title in ("1. Identitas", "2. Alamat", "7. Persetujuan"):
        assert "<details" not in _section(form, title)[:300], title


def test_values_and_errors_open_their_section_and_the_form_still_saves_once(app, client, auth, person_data):
    auth.login("operator.solok")
    bad = client.post("/sidilan/orang/baru", data=person_data(no_hp="abc", kecamatan=""))
    assert bad.status_code == 422
    other = _section(bad.text, "4. Data diri lain")
    assert (
        "<details open>" in other and "ada yang perlu diperbaiki" in other and "No. HP hanya angka" in other
    )
    assert "ada yang perlu diperbaiki" in _section(bad.text, "2. Alamat")
    assert "<details open>" in _section(bad.text, "3. Kartu keluarga")  # No. KK typed
    assert "<details><summary>" in _section(bad.text, "5. Pendamping")
    assert "4 dari 4 terisi" in _section(bad.text, "1. Identitas")
    saved = client.post("/sidilan/orang/baru", data=person_data(nama_lengkap="Marlinda Seksi"))
    assert saved.status_code in (302, 303) and person_by_name(app, "Marlinda Seksi") is not None


def test_edit_form_opens_the_sections_that_hold_data(app, client, auth):
    auth.login("operator.solok")
    pid = person_id_of(app, "Rosmaniar")
    with app.app_context():
        db.session.get(Person, pid).status_verifikasi = "draf"  # editable
        db.session.commit()
    page = client.get(f"/sidilan/orang/{pid}/ubah")
    assert page.status_code == 200
    form = _form(page.text)
    assert "<details open>" in _section(form, "3. Kartu keluarga")  # her No. KK is stored


def test_focus_goes_to_the_first_error_in_page_order(app, client, auth, person_data):
    """No. KK is declared before the name in the form class but shown after it: focus follows the page."""
    auth.login("operator.solok")
    resp = client.post("/sidilan/orang/baru", data=person_data(no_kk="12", nama_lengkap=""))
    assert resp.status_code == 422
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", _form(resp.text))
    invalid = [re.search(r'name="([^"]+)"', c).group(1) for c in controls if 'aria-invalid="true"' in c]
    focused = [re.search(r'name="([^"]+)"', c).group(1) for c in controls if re.search(r"\sautofocus\b", c)]
    assert invalid[0] == "nama_lengkap" and "no_kk" in invalid
    assert focused == ["nama_lengkap"]


def test_page_order_names_the_fields_as_the_page_shows_them(app, client, auth):
    """PAGE_ORDER (the first-error focus) follows the sections; the fields it leaves out come after, as declared."""
    auth.login("operator.solok")
    form = _form(client.get("/sidilan/orang/baru").text)
    names = list(dict.fromkeys(re.findall(r'<(?:input|select|textarea)\b[^>]*name="([^"]+)"', form)))
    unbound = [(n, f) for n, f in vars(PersonForm).items() if isinstance(f, UnboundField)]
    declared = [n for n, f in sorted(unbound, key=lambda nf: nf[1].creation_counter)]
    expected = list(PersonForm.PAGE_ORDER) + [n for n in declared if n not in PersonForm.PAGE_ORDER]
    assert [n for n in names if n in declared] == expected
