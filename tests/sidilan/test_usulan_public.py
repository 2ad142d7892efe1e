"""The public usulan page (issue 13 part 8b): no login, stores the report and shows nothing back but a reference,
photo checked and re-encoded without EXIF, honeypot, rate limit, CSRF; the clerks' "Usulan masuk" review,
scoped to the regency and audited."""

import io
import re

from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from blueprints.auth.models import Regency
from blueprints.core.audit import AuditEvent
from blueprints.core.extensions import db
from blueprints.core.forms import new_submission_key
from blueprints.sidilan import usulan as U
from blueprints.sidilan.usulan_models import Usulan
from tests.sidilan.conftest import TIGO_JANGKO_NAGARI

NAME = "Sutan Malano Uji"
CONTACT = "081277776666"


def _regency_id(app, code="13.02") -> int:
    with app.app_context():
        return db.session.scalar(select(Regency.id).where(Regency.code == code))


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"  # Make
    exif[0x0132] = "2026:01:01 10:00:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def _form(app, **over) -> dict:
    data = {
        "submission_key": new_submission_key(),
        "nama": NAME,
        "kabupaten": str(_regency_id(app)),
        "nagari": TIGO_JANGKO_NAGARI,
        "jorong": "Tigo Jangko",
        "kebutuhan": "Lumpuh sejak 2020, butuh kursi roda.",
        "pelapor_nama": "Pelapor Uji",
        "pelapor_hubungan": "keluarga",
        "pelapor_kontak": CONTACT,
        "website": "",
    }
    data.update(over)
    return data


def _post(client, data: dict, photo: tuple[bytes, str] | None = None, headers=None):
    fields = dict(data)
    if photo is not None:
        fields["foto"] = FileStorage(io.BytesIO(photo[0]), filename=photo[1])
    stream, _, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(
        "/usulan/",
        data=stream.getvalue(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Usulan))


def test_public_form_without_login_stores_and_shows_only_a_reference(app, client):
    page = client.get("/usulan/")
    assert page.status_code == 200
    assert "Usulkan warga" in page.get_data(as_text=True)
    before = _count(app)
    response = _post(client, _form(app), (_jpeg_with_exif(), "ktp.jpg"))
    assert response.status_code == 303
    location = response.headers["Location"]
    ref = re.search(r"ref=(US-[A-Z0-9]{8})", location).group(1)
    thanks = client.get(location).get_data(as_text=True)
    assert ref in thanks
    for secret in (NAME, CONTACT, "Pelapor Uji", "kursi roda", "Tigo Jangko"):
        assert secret not in thanks and secret not in location
    assert _count(app) == before + 1
    with app.app_context():
        row = db.session.scalar(select(Usulan).where(Usulan.reference == ref))
        assert (row.nama, row.regency_id, row.status, row.pelapor_kontak) == (
            NAME,
            _regency_id(app),
            "baru",
            CONTACT,
        )
        path = U.photo_path(row)
        assert path is not None
        with Image.open(path) as stored:
            assert stored.format == "JPEG" and not stored.getexif()
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "sidilan_usulan", AuditEvent.action == "create"
            )
        )


def test_a_replayed_submit_stores_once(app, client):
    data = _form(app)
    before = _count(app)
    first = _post(client, data)
    second = _post(client, data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app) == before + 1


def test_honeypot_stores_nothing_but_looks_done(app, client):
    before = _count(app)
    response = _post(client, _form(app, website="http://spam.example"))
    assert response.status_code == 303 and "terima-kasih" in response.headers["Location"]
    assert _count(app) == before


def test_bad_photo_and_foreign_nagari_are_refused(app, client):
    before = _count(app)
    bad = _post(client, _form(app), (b"not an image at all", "foto.jpg"))
    assert bad.status_code == 422 and "JPEG atau PNG" in bad.get_data(as_text=True)
    jpeg = io.BytesIO()
    Image.new("RGB", (50, 50)).save(jpeg, "JPEG")
    cut = jpeg.getvalue()[:40]  # a photo cut off in transfer: starts like a JPEG, is not one
    assert _post(client, _form(app), (cut, "foto.jpg")).status_code == 422
    other = _post(client, _form(app, kabupaten=str(_regency_id(app, "13.03"))))
    assert other.status_code == 422 and "Pilih nagari di kabupaten" in other.get_data(as_text=True)
    missing = _post(client, _form(app, nama="", pelapor_kontak="abc"))
    assert missing.status_code == 422
    assert _count(app) == before


def test_png_is_reencoded_as_jpeg():  # (as every photo: core.images.clean_image)
    buf = io.BytesIO()
    Image.new("RGBA", (3000, 10), (0, 0, 255, 128)).save(buf, "PNG")
    out = U.clean_photo(buf.getvalue())
    with Image.open(io.BytesIO(out)) as img:
        assert img.format == "JPEG" and max(img.size) <= U.PHOTO_MAX_SIDE


def test_public_form_is_rate_limited(app, client):
    app.config["SIDILAN_USULAN_LIMIT"] = "2 per minute"
    codes = [_post(client, _form(app)).status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert client.get("/usulan/").status_code == 200  # reading the form is not limited


def test_public_form_needs_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    before = _count(app)
    assert _post(client, _form(app)).status_code == 400
    page = client.get("/usulan/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert _post(client, _form(app, csrf_token=token)).status_code == 303
    assert _count(app) == before + 1


# ---- the clerks' review ------------------------------------------------------------------------------------


def _submitted(app, client) -> int:
    ref = re.search(r"ref=(US-[A-Z0-9]{8})", _post(client, _form(app)).headers["Location"]).group(1)
    with app.app_context():
        return db.session.scalar(select(Usulan.id).where(Usulan.reference == ref))


def test_clerk_review_is_scoped(app, client, auth):
    uid = _submitted(app, client)
    auth.login("operator.sijunjung")
    assert NAME not in client.get("/sidilan/usulan").get_data(as_text=True)
    assert client.get(f"/sidilan/usulan/{uid}").status_code == 404
    assert client.post(f"/sidilan/usulan/{uid}/terima").status_code == 404
    assert client.post(f"/sidilan/usulan/{uid}/tolak", data={"alasan": "x"}).status_code == 404
    auth.logout()
    auth.login("pimpinan.solok")
    assert client.get("/sidilan/usulan").status_code == 404
    assert client.get(f"/sidilan/usulan/{uid}").status_code == 404
    auth.logout()
    auth.login("operator.solok")
    assert NAME in client.get("/sidilan/usulan").get_data(as_text=True)
    page = client.get(f"/sidilan/usulan/{uid}").get_data(as_text=True)
    assert NAME in page and CONTACT in page
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "sidilan_usulan",
                AuditEvent.action == "view",
                AuditEvent.object_id == str(uid),
            )
        )


def test_accept_opens_the_person_form_prefilled(app, client, auth):
    uid = _submitted(app, client)
    auth.login("operator.solok")
    response = client.post(f"/sidilan/usulan/{uid}/terima")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sidilan/orang/baru?usulan={uid}")
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{NAME}"' in form
    assert f'value="{TIGO_JANGKO_NAGARI}" selected' in form
    assert re.search(r'<option selected value="usulan_nagari"|value="usulan_nagari" selected', form)
    with app.app_context():
        row = db.session.get(Usulan, uid)
        assert row.status == "diterima" and row.reviewed_by.username == "operator.solok"
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "sidilan_usulan",
                AuditEvent.action == "update",
                AuditEvent.object_id == str(uid),
            )
        )
    # decided once: a second press changes nothing
    again = client.post(f"/sidilan/usulan/{uid}/terima")
    assert again.headers["Location"].endswith(f"/sidilan/usulan/{uid}")


def test_reject_needs_a_reason(app, client, auth):
    uid = _submitted(app, client)
    auth.login("verifikator.solok")
    assert (
        client.post(f"/sidilan/usulan/{uid}/terima").status_code == 404
    )  # accepting registers: the operator
    assert client.post(f"/sidilan/usulan/{uid}/tolak", data={"alasan": ""}).status_code == 422
    response = client.post(f"/sidilan/usulan/{uid}/tolak", data={"alasan": "Sudah terdaftar."})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Usulan, uid)
        assert (row.status, row.reject_reason) == ("ditolak", "Sudah terdaftar.")
    assert "Sudah terdaftar." in client.get(f"/sidilan/usulan/{uid}").get_data(as_text=True)
    assert NAME in client.get("/sidilan/usulan?status=ditolak").get_data(as_text=True)


def test_photo_is_served_to_the_regency_only_and_audited(app, client, auth):
    response = _post(client, _form(app), (_jpeg_with_exif(), "ktp.jpg"))
    ref = re.search(r"ref=(US-[A-Z0-9]{8})", response.headers["Location"]).group(1)
    with app.app_context():
        uid = db.session.scalar(select(Usulan.id).where(Usulan.reference == ref))
    assert client.get(f"/sidilan/usulan/{uid}/foto").status_code == 302  # login first
    auth.login("operator.sijunjung")
    assert client.get(f"/sidilan/usulan/{uid}/foto").status_code == 404
    auth.logout()
    auth.login("operator.solok")
    photo = client.get(f"/sidilan/usulan/{uid}/foto")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "sidilan_usulan", AuditEvent.action == "download"
            )
        )


def test_the_login_page_leads_the_public_to_the_form(client):
    login = client.get("/masuk").get_data(as_text=True)
    assert '<a href="/usulan/">Usulan warga</a>' in login
    assert client.get("/usulan/").status_code == 200


def test_the_public_pages_fit_the_page_budget(app, client):
    """The crawls of tests/test_budgets.py walk as demo users; the public form and its thank-you page are
    held to the same 14,000 B gzip here."""
    from tests.test_budgets import PAGE_BUDGET, gz

    form_page = client.get("/usulan/")
    assert form_page.status_code == 200 and gz(form_page.data) <= PAGE_BUDGET
    sent = _post(client, _form(app))
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and gz(thanks.data) <= PAGE_BUDGET


def test_two_clerks_deciding_at_once_the_first_decision_holds(app, client, auth):
    """Clerk A opened the report while it was new; clerk B rejects it meanwhile; A's acceptance then changes
    nothing (the decision is a compare-and-set on the status, not a read then a write)."""
    from sqlalchemy import update

    from blueprints.auth.models import User
    from blueprints.sidilan import usulan

    uid = _submitted(app, client)
    with app.app_context():
        row = db.session.get(Usulan, uid)  # A's view of it: status baru
        assert row.status == "baru"
        db.session.execute(  # B's decision, committed by another request
            update(Usulan).where(Usulan.id == uid).values(status="ditolak", reject_reason="Ganda"),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
        operator = db.session.scalar(select(User).where(User.username == "operator.solok"))
        out = usulan.review(row, "diterima", operator)
        assert out.refusals == [usulan.ALREADY_REVIEWED]
        db.session.rollback()
        assert db.session.get(Usulan, uid).status == "ditolak"


def test_the_reject_form_shown_again_is_an_audited_read(app, client, auth):
    uid = _submitted(app, client)
    auth.login("verifikator.solok")
    r = client.post(f"/sidilan/usulan/{uid}/tolak", data={"alasan": ""})
    assert r.status_code == 422 and NAME in r.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent.summary).where(
                    AuditEvent.object_type == "sidilan_usulan",
                    AuditEvent.object_id == str(uid),
                    AuditEvent.action == "view",
                )
            )
            == f"usulan masuk #{uid} (alasan penolakan belum diisi)"
        )
