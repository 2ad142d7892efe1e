"""Each module's main scenario in Chromium, clicked and typed as a person would, once with JavaScript on and once
off (issue 11 item 5). Both runs share one live-server database, so every value they type is unique per run.
No sleeps: Playwright's ``expect`` waits for what the user would see."""

import re

import pytest
from playwright.sync_api import Page, expect

MODES = pytest.mark.parametrize("js", [True, False], ids=["js", "tanpa-js"])


def _open_module(page: Page, label: str) -> None:
    page.goto("/")
    page.locator("header nav").get_by_role("link", name=label, exact=True).click()


def _choose(page: Page, select: str, label: str, js: bool, refresh: str | None = None) -> None:
    """Pick an option; without JavaScript the form's refresh button (``refresh``) then shows the next level."""
    page.locator(f"select[name={select}]").select_option(label=label)
    if not js and refresh:
        with page.expect_navigation():
            page.get_by_role("button", name=refresh).click()


# ---- SIDILAN: register, submit, verify, approve, find --------------------------------------------------------


@MODES
def test_sidilan_person_registered_verified_approved_and_found(login_page, js):
    name = "Nurhayati " + ("Peramban" if js else "Tanpa Skrip")
    day = "10" if js else "11"  # different births: the two runs are not duplicates of each other
    nik = f"130218{int(day) + 40}0475{'0011' if js else '0012'}"

    op = login_page("operator.solok", java_script_enabled=js)
    _open_module(op, "SIDILAN")
    op.get_by_role("link", name="+ Orang baru").click()
    expect(op.get_by_role("heading", level=1)).to_have_text("Pendaftaran orang baru")
    op.get_by_label(re.compile(r"^NIK")).fill(nik)
    op.get_by_label(re.compile(r"^Nama lengkap")).fill(name)
    op.get_by_label("Perempuan").check()
    op.get_by_label(re.compile(r"^Tanggal lahir \*")).fill(f"1975-04-{day}")
    _choose(op, "kecamatan", "Tigo Lurah", js, refresh="Tampilkan pilihan wilayah")
    _choose(op, "nagari", "Tanjung Balik Sumiso", js, refresh="Tampilkan pilihan wilayah")
    _choose(op, "jorong", "Tigo Jangko", js)
    op.get_by_label("Persetujuan pemrosesan data sudah diberikan").check()
    op.get_by_label("Tanggal persetujuan").fill("2026-11-02")
    op.get_by_label("Pemberi persetujuan").fill(name)
    op.get_by_role("button", name="Simpan", exact=True).click()
    expect(op.get_by_role("heading", level=1)).to_contain_text(name)
    expect(op.locator("main")).to_contain_text(
        "Jorong Tigo Jangko, Nagari Tanjung Balik Sumiso, Kec. Tigo Lurah"
    )

    op.get_by_role("link", name="Data disabilitas").click()
    op.get_by_role("checkbox", name="Fisik").check()
    op.get_by_label("Jenis (fisik)").select_option(label="lumpuh layuh/kaku")
    op.get_by_role("button", name="Simpan", exact=True).click()
    expect(op.locator("main")).to_contain_text("Fisik (lumpuh layuh/kaku)")
    op.get_by_role("button", name="Ajukan untuk verifikasi").click()
    expect(op.locator("main .badge").first).to_have_text("Diajukan")

    ver = login_page("verifikator.solok", java_script_enabled=js)
    _open_module(ver, "SIDILAN")
    ver.locator("nav[aria-label='Menu SIDILAN']").get_by_role("link", name="Verifikasi").click()
    ver.get_by_role("link", name=name).click()
    ver.get_by_role("button", name="Verifikasi (tingkat nagari)").click()
    expect(ver.locator("main .badge").first).to_have_text("Diverifikasi nagari")
    ver.get_by_role("button", name="Setujui (dinas)").click()
    expect(ver.locator("main .badge").first).to_have_text("Disetujui dinas")

    ver.locator("nav[aria-label='Menu SIDILAN']").get_by_role("link", name="Daftar").click()
    box = ver.get_by_role("searchbox", name="Cari NIK, No. KK atau nama")
    box.fill(name)
    box.press("Enter")
    rows = ver.locator("#daftar-orang tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    expect(rows.first).to_contain_text("Disetujui dinas")
