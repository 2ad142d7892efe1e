"""Rujukan rows for bench/scale.py: (label, demo user, url or url(facts), budget ms; None = measured only).

Facts come from bench/data_rujukan.build(). Budgets are issue 12's: lists, searches and worklists 20 ms, home
panels and the recap page 100 ms; the recap and register PDFs are timed without a budget (they become jobs).
"""

from blueprints.rujukan.worklists import RECEIVER, SENDER

PKM = "faskes.solok"
RSUD = "faskes.rsud.sijunjung"
DINKES = "dinkes.solok"

PAGES = [
    ("Rujukan: home panels, puskesmas", PKM, "/", 100),
    ("Rujukan: home panels, RSUD", RSUD, "/", 100),
    ("Rujukan: outgoing, page 1", PKM, "/rujukan/", 20),
    (
        "Rujukan: outgoing, deep page (keyset)",
        PKM,
        lambda f: f"/rujukan/?hal={f['rujukan_deep_page']}&setelah={f['rujukan_outgoing_cursor']}",
        20,
    ),
    ("Rujukan: outgoing, kedaluwarsa", PKM, "/rujukan/?status=kedaluwarsa", 20),
    ("Rujukan: incoming, page 1", RSUD, "/rujukan/masuk", 20),
    (
        "Rujukan: incoming, deep page (keyset)",
        RSUD,
        lambda f: f"/rujukan/masuk?hal={f['rujukan_deep_page']}&setelah={f['rujukan_incoming_cursor']}",
        20,
    ),
    *[(f"Rujukan: worklist {name}", PKM, f"/rujukan/daftar-kerja?daftar={name}", 20) for name in SENDER],
    *[
        (f"Rujukan: worklist {name} (RSUD)", RSUD, f"/rujukan/daftar-kerja?daftar={name}", 20)
        for name in RECEIVER
    ],
    ("Rujukan: search by name", PKM, lambda f: f"/rujukan/?q={f['rujukan_patient_name'].split()[0]}", 20),
    ("Rujukan: search by NIK", PKM, lambda f: f"/rujukan/?q={f['rujukan_patient_nik']}", 20),
    ("Rujukan: patients list", PKM, "/rujukan/pasien", 20),
    ("Rujukan: recap page", DINKES, lambda f: f"/rujukan/rekap?bulan={f['rujukan_busy_month']}", 100),
    ("Rujukan: register page", PKM, lambda f: f"/rujukan/register?bulan={f['rujukan_busy_month']}", 20),
    (
        "Rujukan: recap PDF (part 1)",
        DINKES,
        lambda f: f"/rujukan/rekap?bulan={f['rujukan_busy_month']}&format=pdf",
        None,
    ),
    (
        "Rujukan: register PDF",
        PKM,
        lambda f: f"/rujukan/register?bulan={f['rujukan_busy_month']}&format=pdf",
        None,
    ),
]
