"""The NIK decoder fills the person form while typing (issue 13 part 3): htmx swaps the empty sex, birth date
and kecamatan boxes out of band; what the clerk typed stays."""

NIK_WOMAN_1984 = "1302185203840099"  # 13.02.18 (Tigo Lurah), day 12+40, March 1984


def test_typing_a_nik_fills_the_empty_fields(login_page):
    page = login_page("operator.solok")
    page.goto("/sidilan/orang/baru")
    page.fill("input[name=nama_lengkap]", "Diketik Dulu")
    page.fill("#nik", NIK_WOMAN_1984)
    page.locator("#nik-info", has_text="Tigo Lurah").wait_for()
    page.locator("select[name=kecamatan] option[value='13.02.18'][selected]").wait_for(state="attached")
    assert page.is_checked("input[name=jenis_kelamin][value=P]")
    assert page.input_value("input[name=tanggal_lahir]") == "1984-03-12"
    assert page.input_value("select[name=kecamatan]") == "13.02.18"
    assert page.is_enabled("select[name=nagari]")  # the swapped cascade offers the kecamatan's nagari
    assert page.input_value("input[name=nama_lengkap]") == "Diketik Dulu"


def test_typed_values_are_never_overwritten(login_page):
    page = login_page("operator.solok")
    page.goto("/sidilan/orang/baru")
    page.check("input[name=jenis_kelamin][value=L]")
    page.fill("input[name=tanggal_lahir]", "1984-03-13")
    page.fill("#nik", NIK_WOMAN_1984)
    page.locator("#nik-info", has_text="Jenis kelamin berbeda dengan NIK").wait_for()
    assert page.is_checked("input[name=jenis_kelamin][value=L]")
    assert page.input_value("input[name=tanggal_lahir]") == "1984-03-13"
    assert page.input_value("select[name=kecamatan]") == "13.02.18"  # it was empty
