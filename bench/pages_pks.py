"""Kerja Sama rows timed by ``bench/scale.py`` at 500 agreements (facts from ``bench/data_pks.build``).

(label, demo username, url or callable(facts) -> url, budget in ms). A label ending in "fragment" is asked
for as an htmx partial (HX-Request: true).
"""

LIST_MS = 20
PANEL_MS = 100
USER = "kerjasama.solok"

PAGES = [
    ("pks kanban PKS", USER, "/pks/papan?jenis=PKS", LIST_MS),
    ("pks kanban PKS fragment", USER, "/pks/papan?jenis=PKS", LIST_MS),
    ("pks kanban semua tahap", USER, "/pks/papan?jenis=PKS&semua=1", LIST_MS),
    ("pks kanban KSB", USER, "/pks/papan?jenis=KSB", LIST_MS),
    ("pks daftar", USER, "/pks/daftar", LIST_MS),
    ("pks daftar tahap siap_ttd", USER, "/pks/daftar?tahap=siap_ttd", LIST_MS),
    ("pks menunggu", USER, "/pks/menunggu", LIST_MS),
    ("pks cakupan", USER, "/pks/cakupan", LIST_MS),
    ("pks dashboard", USER, "/pks/", PANEL_MS),
    ("pks home panel", USER, "/", PANEL_MS),
    ("pks KSB record", USER, lambda f: f"/pks/{f['pks_ksb_id']}", LIST_MS),
    ("pks PKS record", USER, lambda f: f"/pks/{f['pks_pks_id']}", LIST_MS),
    ("pks PKS tahap", USER, lambda f: f"/pks/{f['pks_pks_id']}/tahap", LIST_MS),
    ("pks PKS pihak", USER, lambda f: f"/pks/{f['pks_pks_id']}/pihak", LIST_MS),
    ("pks rapat", USER, lambda f: f"/pks/rapat/{f['pks_meeting_id']}", LIST_MS),
    ("pks laporan", USER, "/pks/laporan", PANEL_MS),
]
