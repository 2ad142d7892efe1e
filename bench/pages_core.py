"""Rows of the shared pages for bench/scale.py: (label, demo username, url or url(facts), budget ms).

Home pages are dashboards (100 ms: each module's panels); health check, admin and account pages are lists
(20 ms). The home page of each module's roles is timed in that module's own pages file.
"""

LIST_MS = 20
PANEL_MS = 100

PAGES = [
    ("core /healthz", "admin.solok", "/healthz", LIST_MS),
    ("core home, admin", "admin.solok", "/", PANEL_MS),
    ("core home, pimpinan", "pimpinan.solok", "/", PANEL_MS),
    ("core home, verifikator", "verifikator.solok", "/", PANEL_MS),
    ("core admin pengguna", "admin.solok", "/admin/pengguna", LIST_MS),
    ("core admin pengguna, cari", "admin.solok", "/admin/pengguna?q=demo", LIST_MS),
    ("core admin pengguna, superadmin", "superadmin", "/admin/pengguna", LIST_MS),
    ("core admin audit", "admin.solok", "/admin/audit", LIST_MS),
    ("core admin audit, superadmin", "superadmin", "/admin/audit", LIST_MS),
    ("core admin jorong", "admin.solok", "/admin/jorong", LIST_MS),
    ("core akun sesi", "operator.solok", "/akun/sesi", LIST_MS),
]
