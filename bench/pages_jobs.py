"""Rows bench/scale.py times for the job pages (bench/data_jobs.py builds their data)."""

PAGES = [
    ("Pekerjaan saya, halaman 1", "operator.solok", "/pekerjaan/", 20),
    ("Pekerjaan saya, halaman 20", "operator.solok", "/pekerjaan/?hal=20", 20),
    ("halaman pekerjaan", "operator.solok", lambda facts: f"/pekerjaan/{facts['job_id']}", 20),
]
