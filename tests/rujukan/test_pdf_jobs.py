"""The register and recap PDFs of more than RUJUKAN_PDF_JOB_ROWS rows are background jobs (core.jobs): the
request answers with the job page, the job makes the same PDF, both making and downloading it are audited."""

import re

from sqlalchemy import select

from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.rujukan.models import Referral
from tests.offers import start_offered

from .conftest import org, referral_where
from .test_pdf import pdf_info
from .test_reports import _served_this_month


def _follow_to_file(client, url, query_string):
    response = start_offered(client, url, query_string=query_string)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in html
    (link,) = re.findall(r'href="(/pekerjaan/\d+/unduh)"', html)
    got = client.get(link)
    assert got.status_code == 200 and got.mimetype == "application/pdf" and got.data[:4] == b"%PDF"
    return html, got, int(link.split("/")[2])


def _exports(app, job_id: int) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.summary)
            .where(AuditEvent.action == "export", AuditEvent.summary.like(f"%pekerjaan #{job_id}:%"))
            .order_by(AuditEvent.id)
        ).all()


def test_a_register_pdf_over_the_threshold_is_a_job(app, client, auth):
    auth.login("faskes.solok")
    with app.app_context():
        ref = referral_where(Referral.origin_id == org("pkm").id, Referral.status == "selesai")
        month = f"{ref.issued_on.year}-{ref.issued_on.month:02d}"
    qs = {"bulan": month, "format": "pdf"}
    inline = client.get("/rujukan/register", query_string=qs)
    assert inline.status_code == 200 and inline.mimetype == "application/pdf"  # the demo's month: inline
    app.config["RUJUKAN_PDF_JOB_ROWS"] = 0
    html, got, job_id = _follow_to_file(client, "/rujukan/register", qs)
    assert "Register rujukan" in html and "rujukan dalam register" in html
    assert pdf_info(got.data)[0] == pdf_info(inline.data)[0]
    summaries = _exports(app, job_id)
    assert summaries[0].startswith(f"pekerjaan #{job_id}: register rujukan {month} (pdf)")
    assert summaries[1].startswith(f"unduh hasil pekerjaan #{job_id}")


def test_a_recap_pdf_over_the_threshold_is_a_job(app, client, auth):
    _, _, month = _served_this_month(app)
    auth.login("dinkes.solok")
    app.config["RUJUKAN_PDF_JOB_ROWS"] = 0
    qs = {"bulan": month, "asal": "13.02", "layanan": "13.03", "format": "pdf"}
    html, got, job_id = _follow_to_file(client, "/rujukan/rekap", qs)
    assert "Rekap rujukan" in html
    pages, boxes = pdf_info(got.data)
    assert pages >= 1 and [float(x) for x in boxes[0].split()[2:]] == [935.433071, 609.448819]  # F4 landscape
    assert _exports(app, job_id)[0].startswith(f"pekerjaan #{job_id}: rekap rujukan 13.02->13.03")
