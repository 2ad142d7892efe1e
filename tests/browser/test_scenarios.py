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

    nag = login_page("verifikator-nagari.solok", java_script_enabled=js)  # the nagari step (§9.1)
    _open_module(nag, "SIDILAN")
    nag.locator("nav[aria-label='Menu SIDILAN']").get_by_role("link", name="Verifikasi").click()
    nag.get_by_role("link", name=name).click()
    nag.get_by_role("button", name="Verifikasi (tingkat nagari)").click()
    expect(nag.locator("main .badge").first).to_have_text("Diverifikasi nagari")

    ver = login_page("verifikator.solok", java_script_enabled=js)  # the Dinsos step, another person
    _open_module(ver, "SIDILAN")
    ver.locator("nav[aria-label='Menu SIDILAN']").get_by_role("link", name="Verifikasi").click()
    ver.get_by_role("link", name=name).click()
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


# ---- Rujukan: patient, letter with an ICD-10 diagnosis found by search, issue, print, arrival, reply ----------


def _pick_option(page: Page, select: str, text: str) -> None:
    """Choose the option of ``select`` whose label contains ``text`` (labels carry schedules, counts ...)."""
    option = page.locator(f'select[name="{select}"] option', has_text=text).first
    page.locator(f'select[name="{select}"]').select_option(option.get_attribute("value"))


def _search_icd(page: Page, slot: int, query: str, code_and_name: str, js: bool) -> None:
    """Type in the slot's search box, press Enter (both modes: it submits that search, saving nothing) and pick
    the result; with JavaScript the pick fills the slot at once, without it the pick is sent with the form."""
    box = page.locator(f"input[name=diag_q{slot}]")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    expect(page.locator(f"input[name=diag_q{slot}]")).to_have_value(query)
    result = page.get_by_role("radio", name=code_and_name)
    if js:  # the pick replaces the slot (results and all), so the radio is gone once it is clicked
        result.click()
        expect(page.locator(f"input[name=diag{slot}]")).to_have_value(code_and_name.split()[0])
    else:
        result.check()


@MODES
def test_rujukan_letter_issued_printed_received_and_answered(login_page, js):
    tag = "Satu" if js else "Dua"
    patient = f"Bujang Peramban {tag}"
    nik = "1302180507800" + ("031" if js else "032")
    doctor = "dr. Irwan Syah, Sp.PD"  # RSUD Sijunjung's listed internist

    clerk = login_page("faskes.solok", java_script_enabled=js)
    _open_module(clerk, "Rujukan")
    clerk.get_by_role("link", name="Pasien / buat rujukan").click()
    clerk.get_by_role("link", name="+ Daftarkan pasien baru").click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("Daftarkan pasien")
    clerk.get_by_label(re.compile(r"^Nama pasien")).fill(patient)
    clerk.get_by_label(re.compile(r"^NIK")).fill(nik)
    clerk.get_by_label(re.compile(r"^Jenis kepesertaan")).select_option(label="Non-JKN")
    clerk.get_by_label(re.compile(r"^Tanggal lahir")).fill("1980-07-05")
    clerk.get_by_label(re.compile(r"^Jenis kelamin")).select_option(label="Laki-laki")
    expect(clerk.get_by_label(re.compile(r"^Kabupaten asal"))).to_have_value("13.02")
    _choose(clerk, "kecamatan", "Tigo Lurah", js, refresh="Tampilkan pilihan wilayah")
    _choose(clerk, "nagari", "Tanjung Balik Sumiso", js, refresh="Tampilkan pilihan wilayah")
    _choose(clerk, "jorong", "Tigo Jangko", js)
    clerk.get_by_role("button", name="Simpan", exact=True).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(patient)

    clerk.get_by_role("link", name="+ Buat rujukan").click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("Rujukan baru")
    _pick_option(clerk, "destination_id", "RSUD Sijunjung")
    if not js:
        with clerk.expect_navigation():
            clerk.get_by_role("button", name="Tampilkan poli faskes ini").click()
    expect(clerk.locator(".tujuan")).to_contain_text("RSUD Sijunjung (demo): telp.")  # its contacts and poli
    _pick_option(clerk, "poli_id", "Penyakit Dalam")
    clerk.get_by_label(re.compile(r"^Dasar rujukan lintas batas")).select_option(
        label="Pertimbangan geografis"
    )
    clerk.get_by_label(re.compile(r"^Anamnesa")).fill(f"Sesak napas tiga hari ({tag})")
    _search_icd(clerk, 1, "heart failure", "I50.0 Gagal jantung kongestif", js)
    # Enter in the second box searches there and keeps the first diagnosis and everything typed
    clerk.get_by_text("Diagnosis 2 dan 3 (bila ada)").click()
    _search_icd(clerk, 2, "chronic kidney", "N18.4 Chronic kidney disease, stage 4", js)
    expect(clerk.locator("input[name=diag1]")).to_have_value("I50.0")
    expect(clerk.get_by_label(re.compile(r"^Anamnesa"))).to_have_value(f"Sesak napas tiga hari ({tag})")
    expect(clerk.locator("select[name=poli_id] option:checked")).to_contain_text("Penyakit Dalam")
    clerk.get_by_label(re.compile(r"^Alasan rujuk")).fill("Perlu penanganan spesialis penyakit dalam")
    clerk.get_by_label(re.compile(r"^Persetujuan pasien/keluarga")).select_option(label="Setuju dirujuk")
    clerk.get_by_label(re.compile(r"^Ditandatangani oleh")).fill("Istri pasien")
    clerk.get_by_label(re.compile(r"^Hubungan dengan pasien")).fill("istri")
    clerk.get_by_label(re.compile(r"^Tenaga kesehatan perujuk")).select_option(index=1)
    clerk.get_by_role("button", name="Simpan dan terbitkan").click()
    heading = clerk.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Diterbitkan")
    number = heading.inner_text().removeprefix("Surat rujukan ").split()[0]
    main = clerk.locator("main")
    expect(main).to_contain_text(f"Rujukan diterbitkan dengan nomor {number}.")
    expect(main).to_contain_text("I50.0 Gagal jantung kongestif")
    expect(main).to_contain_text("N18.4 Chronic kidney disease, stage 4")

    with clerk.expect_response(lambda r: "application/pdf" in r.headers.get("content-type", "")) as printed:
        clerk.get_by_role("link", name="Cetak PDF").click()
    pdf = printed.value
    assert pdf.status == 200 and pdf.request.resource_type == "document"  # the letter opens in the PDF viewer
    assert clerk.context.request.get(pdf.url).body().startswith(b"%PDF-")  # the same bytes, as saved
    clerk.go_back()

    hospital = login_page("faskes.rsud.sijunjung", java_script_enabled=js)
    _open_module(hospital, "Rujukan")
    hospital.get_by_role("link", name="Rujukan masuk").click()
    hospital.get_by_role("link", name=number).click()
    hospital.get_by_role("button", name="Pasien tiba").click()
    expect(hospital.get_by_role("heading", level=1)).to_contain_text("Pasien tiba")
    hospital.get_by_role("link", name="Catat jawaban rujukan").click()
    hospital.get_by_label(re.compile(r"^Terapi yang diberikan")).fill("Furosemid, restriksi cairan")
    # the reply's diagnosis is found with the referral form's search (Enter searches, saves nothing)
    box = hospital.locator("input[name=diag_qjawaban]")
    box.fill("hypertensive heart")
    with hospital.expect_navigation():
        box.press("Enter")
    expect(hospital.get_by_label(re.compile(r"^Terapi yang diberikan"))).to_have_value(
        "Furosemid, restriksi cairan"
    )
    result = hospital.get_by_role("radio", name=re.compile(r"^I11\.0 "))
    if js:  # the pick fills the diagnosis box at once
        result.click()
        expect(hospital.locator("input[name=reply_diag]")).to_have_value("I11.0")
    else:
        result.check()
    hospital.get_by_label(re.compile(r"^Anjuran")).fill("Kontrol ke puskesmas")
    # the doctor is one of the hospital's listed health workers
    hospital.get_by_label(re.compile(r"^Dokter yang menjawab")).select_option(label=f"{doctor} (Dokter)")
    hospital.get_by_role("button", name="Simpan jawaban").click()
    expect(hospital.get_by_role("heading", level=1)).to_contain_text("Dijawab")

    # the puskesmas is told: the top bar counts it, the notification opens the letter and is then read
    clerk.reload()
    bar = clerk.get_by_role("link", name=re.compile(r"^Pemberitahuan \((\d+|99\+)\)$"))
    bar.click()
    told = clerk.locator("li.unread", has_text=f"Jawaban rujukan {number} ({patient})")
    expect(told).to_contain_text("RSUD Sijunjung")
    told.get_by_role("button", name="Buka surat").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(number)
    clerk.get_by_role("link", name=re.compile(r"^Pemberitahuan")).click()
    expect(clerk.locator("li.read", has_text=f"Jawaban rujukan {number} ({patient})")).to_have_count(1)

    _open_module(clerk, "Rujukan")
    clerk.get_by_role("link", name="Rujukan keluar").click()
    clerk.get_by_role("link", name=number).click()
    answer = clerk.locator("section.panel", has=clerk.get_by_role("heading", name="Jawaban rujukan"))
    expect(answer).to_contain_text(doctor)
    expect(answer).to_contain_text("Kontrol ke puskesmas")
    expect(answer).to_contain_text("I11.0")
    with clerk.expect_response(lambda r: "application/pdf" in r.headers.get("content-type", "")) as printed:
        answer.get_by_role("link", name="Cetak surat jawaban rujukan (PDF)").click()
    assert printed.value.status == 200  # the Surat Rujukan Balik, printed by the sender


# ---- PKS: a meeting, a stage move on the kanban, a signing slip ------------------------------------------------

PKS_BY_MODE = {
    True: "Replikasi Aplikasi Sistem Informasi Disabilitas dan Lanjut Usia (SIDILAN)",
    False: "Pelayanan Kesehatan Masyarakat di Wilayah Perbatasan",
}


@MODES
def test_pks_meeting_kanban_move_and_signing_slip(login_page, js):
    title = PKS_BY_MODE[js]  # each run moves its own agreement (both are "Siap tanda tangan" in the demo)
    tag = "daring" if js else "luring"
    agenda = f"Jadwal penandatanganan ({tag})"
    officer = login_page("kerjasama.solok", java_script_enabled=js)
    _open_module(officer, "Kerja Sama")
    officer.locator("nav.pks-nav").get_by_role("link", name="Daftar").click()
    officer.get_by_role("link", name=title, exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(title)

    officer.get_by_role("link", name="+ Rapat").click()
    officer.get_by_label(re.compile(r"^Tanggal")).fill("2026-11-25" if js else "2026-11-26")
    place = f"Aula Setda Kabupaten Solok ({tag})"
    officer.get_by_label(re.compile(r"^Tempat")).fill(place)
    officer.get_by_label(re.compile(r"^Agenda")).fill(agenda)
    officer.get_by_role("button", name="Simpan", exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("Rapat")
    expect(officer.locator("main")).to_contain_text(agenda)
    officer.get_by_text("Tambah keputusan").click()
    decisions = officer.locator("details", has_text="Tambah keputusan")
    decisions.get_by_label(re.compile(r"^Keputusan")).fill(f"Penandatanganan ditunda ke Desember ({tag})")
    decisions.get_by_role("button", name="Simpan").click()
    expect(officer.locator("main ol")).to_contain_text(f"Penandatanganan ditunda ke Desember ({tag})")

    officer.locator("nav.pks-nav").get_by_role("link", name="Papan tahap").click()
    card = officer.locator("#papan .card", has=officer.get_by_role("link", name=title, exact=True))
    card.get_by_label("Pindah ke").select_option(label="Ditunda")
    card.get_by_label("Alasan").fill(f"Menunggu jadwal Bupati ({tag})")
    card.get_by_role("button", name="Pindah").click()
    # a PKS of both regencies is postponed only when the other side confirms: Sijunjung's Bagian Kerjasama does
    partner = login_page("kerjasama.sijunjung", java_script_enabled=js)
    _open_module(partner, "Kerja Sama")
    partner.locator("nav.pks-nav").get_by_role("link", name="Daftar").click()
    partner.get_by_role("link", name=title, exact=True).click()
    partner.get_by_role("link", name="lihat usulan").click()
    expect(partner.locator(".panel.warn", has_text="Usulan ditunda")).to_contain_text(
        f"Menunggu jadwal Bupati ({tag})"
    )
    partner.get_by_role("button", name="Setujui").click()
    expect(partner.get_by_role("heading", level=1)).to_contain_text(title)
    officer.locator("nav.pks-nav").get_by_role("link", name="Papan tahap").click()
    moved_to = officer.locator(
        "#papan section", has=officer.get_by_role("heading", name=re.compile(r"^Ditunda"))
    )
    expect(moved_to.get_by_role("link", name=title, exact=True)).to_be_visible()

    moved_to.get_by_role("link", name=title, exact=True).click()
    officer.get_by_role("link", name="Tahap, target & tanda tangan").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Tahap: Ditunda")
    target = officer.locator("form", has=officer.get_by_role("heading", name="Target tanda tangan"))
    target.get_by_label(re.compile(r"^Target tanda tangan")).fill("minggu ke-3 Desember 2026")
    target.get_by_label(re.compile(r"^Alasan penundaan")).fill(f"Menunggu jadwal Bupati ({tag})")
    target.get_by_label(re.compile(r"^Diputuskan oleh")).fill("Sekda kedua kabupaten")
    _pick_option(officer, "g-meeting_id", place)  # the meeting just recorded
    target.get_by_role("button", name="Simpan target").click()
    slips = officer.locator("table", has=officer.get_by_role("columnheader", name="Target lama"))
    slip = slips.locator("tbody tr", has_text=f"Menunggu jadwal Bupati ({tag})")
    expect(slip).to_contain_text("Desember 2026")
    expect(slip).to_contain_text("Sekda kedua kabupaten")
