"""Pages of rapat (attendees, decisions, action items, notulen, files, the agreements discussed) and the open
action items of the user's scope; what they decide is in ``minutes.py``."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.models import regency_choices
from blueprints.core import audit
from blueprints.core.forms import FORM_INVALID, record_id
from blueprints.core.render import render
from blueprints.core.scope import get_scoped_or_404
from blueprints.core.timeutil import today_local

from .. import bp, minutes
from ..access import can_write
from ..forms import (
    UNKNOWN_FORM,
    ActionDoneForm,
    ActionEditForm,
    ActionForm,
    AttendeeEditForm,
    AttendeeForm,
    DecisionEditForm,
    DecisionForm,
    EntryRemoveForm,
    LinkAgreementForm,
    MeetingEditForm,
    MeetingForm,
    MeetingRemoveForm,
    MeetingUploadForm,
    NotulenForm,
    UnlinkAgreementForm,
)
from ..models import Agreement, Meeting
from ..settings import upload_limit
from ..storage import store_upload
from ._common import answer


def _regencies(with_blank=True):
    return ([(0, "—")] if with_blank else []) + regency_choices()


@bp.route("/<int:agreement_id>/rapat/baru", methods=["GET", "POST"])
@audit.not_sensitive
def meeting_new(agreement_id):
    a = get_scoped_or_404(Agreement, agreement_id)
    form = MeetingForm()
    form.host_regency_id.choices = _regencies()
    if request.method == "GET":
        form.host_regency_id.data = current_user.regency_id
        form.tanggal.data = today_local()  # the day it happened: today unless changed
    if form.validate_on_submit() and (done := answer(minutes.create_meeting(a, form, today_local()))):
        return done
    return render(
        "pks/form.html",
        form=form,
        a=a,
        title="Rapat baru",
        action=url_for("pks.meeting_new", agreement_id=a.id),
        status=FORM_INVALID if request.method == "POST" else 200,
    )


def _forms(m):
    att = AttendeeForm(prefix="h")
    act = ActionForm(prefix="l")
    lists = minutes.owner_lists(m)  # one read for the regencies and the owner OPDs of both forms
    att.regency_id.choices = act.owner_regency_id.choices = [(0, "—"), *lists.regencies]
    act.organisation_id.choices = lists.organisations
    return att, DecisionForm(prefix="k"), act


def _link_form(m, posting: bool = False) -> tuple[LinkAgreementForm, bool, minutes.Discussed]:
    """The link form and whether there are more offers than it shows. It offers agreements the user can see that
    the meeting does not list yet: the meeting's KSB family, or what the search (``?cari=``) finds; a submit is
    checked against the one agreement it names (which may be one the meeting lists: a replay)."""
    form = LinkAgreementForm()
    only = None
    if posting:
        only = record_id(request.form.get("agreement_id"))
        only = -1 if only is None else only
    # first: it loads m.agreements
    offered, discussed = minutes.linkable(m, cari=request.args.get("cari", ""), only=only)
    shown = offered[: minutes.LINK_OFFERS]
    form.agreement_id.choices = [(x.id, f"{x.jenis} #{x.id}: {x.judul[:70]}") for x in shown]
    return form, len(offered) > len(shown), discussed


def _upload_form(m, shown: minutes.Discussed | None = None) -> MeetingUploadForm:
    form = MeetingUploadForm(prefix="b")
    form.agreement_id.choices = minutes.upload_choices(shown or minutes.discussed(m))
    form.meeting_id.data = m.id  # the page's own meeting, whatever was posted
    return form


def _page(m, att, dec, act, link=None, upload=None, status=200, error=None):
    link_form, link_more, shown = link or _link_form(m)
    return render(
        "pks/meeting.html",
        m=m,
        att_form=att,
        dec_form=dec,
        act_form=act,
        upload_form=upload or _upload_form(m, shown),
        discussed=shown,
        limit_mb=upload_limit() / (1024 * 1024),
        frozen=minutes.minutes_frozen(m),
        links=minutes.meeting_files(m, shown),
        link_form=link_form,
        link_more=link_more,
        link_limit=minutes.LINK_OFFERS,
        cari=request.args.get("cari", "").strip(),
        today=today_local(),
        can_write=can_write(),
        status=status,
        error=error,
    )


@bp.route("/rapat/<int:meeting_id>", methods=["GET", "POST"])
@audit.not_sensitive
def meeting(meeting_id):
    m = get_scoped_or_404(Meeting, meeting_id, options=minutes.MEETING_OPTIONS)
    att, dec, act = _forms(m)
    if request.method == "POST":
        which = request.form.get("bagian")
        forms = {
            "hadir": (att, minutes.add_attendee),
            "keputusan": (dec, minutes.add_decision),
            "tindak": (act, minutes.add_action),
        }
        if which not in forms:
            return _page(m, att, dec, act, status=FORM_INVALID, error=UNKNOWN_FORM)
        form, make = forms[which]
        if form.validate_on_submit() and (done := answer(make(m, form))):
            return done
        return _page(m, att, dec, act, status=FORM_INVALID)
    return _page(m, att, dec, act)


@bp.route("/rapat/<int:meeting_id>/tindak-lanjut/<int:item_id>", methods=["POST"])
def action_done(meeting_id, item_id):
    """Posts the wanted state, so a double tap does not reopen what it closed."""
    m = get_scoped_or_404(Meeting, meeting_id)
    item = minutes.action_item(m, item_id)
    if item is None:
        abort(404)
    form = ActionDoneForm()
    out = minutes.save_action_done(m, item, form, today_local())
    return answer(out, form) or _page(m, *_forms(m), status=FORM_INVALID, error=out.error)


@bp.route("/rapat/<int:meeting_id>/kesepakatan", methods=["POST"])
def meeting_link(meeting_id):
    """Add another agreement discussed in the same meeting (only one the user can see)."""
    m = get_scoped_or_404(Meeting, meeting_id)
    form, _more, _shown = _link_form(m, posting=True)
    if form.validate_on_submit() and (done := answer(minutes.link_agreement(m, form))):
        return done
    offers, more, shown = _link_form(m)  # shown again: only what it does not list yet
    form.agreement_id.choices = offers.agreement_id.choices
    # with nothing left to offer the form is not shown: its message goes to the top of the page
    error = (
        None
        if form.agreement_id.choices
        else next((e for errs in form.errors.values() for e in errs if isinstance(e, str)), UNKNOWN_FORM)
    )
    return _page(m, *_forms(m), link=(form, more, shown), status=FORM_INVALID, error=error)


@bp.route("/rapat/<int:meeting_id>/berkas", methods=["POST"])
def meeting_upload(meeting_id):
    """A file of the meeting, uploaded from its page: the documents' own upload, linked to this meeting."""
    m = get_scoped_or_404(Meeting, meeting_id, options=minutes.MEETING_OPTIONS)
    form = _upload_form(m)
    if form.validate_on_submit():
        a = get_scoped_or_404(Agreement, form.agreement_id.data)
        back = url_for("pks.meeting", meeting_id=m.id)
        if done := answer(
            store_upload(a, form, request.files.get(form.berkas.name), current_user, back=back)
        ):
            return done
    return _page(m, *_forms(m), upload=form, status=FORM_INVALID)


EDIT_FORMS = {"peserta": AttendeeEditForm, "keputusan": DecisionEditForm, "tindak-lanjut": ActionEditForm}


def _entry_forms(kind, row, posted: str = ""):
    """The edit and delete forms of an entry: the one ``posted`` ("edit" or "remove") reads the request, the
    other shows the stored entry."""
    form = EDIT_FORMS[kind](**({} if posted == "edit" else {"formdata": None, "obj": row}))
    if "organisation_id" in form:
        lists = minutes.owner_lists(row.meeting)
        form.owner_regency_id.choices = [(0, "—"), *lists.regencies]
        form.organisation_id.choices = minutes.with_current_owner(lists.organisations, row)
        if not posted and row.organisation_id is None:
            form.organisation_id.data = 0
    for name in ("regency_id",):
        if name in form:
            form[name].choices = _regencies()
    remove = EntryRemoveForm(prefix="x", **({} if posted == "remove" else {"formdata": None, "obj": row}))
    return form, remove


def _meeting_entry(meeting_id, kind, entry_id):
    """The scoped meeting and its entry of ``kind`` ("peserta", "keputusan", "tindak-lanjut"; else 404)."""
    if kind not in EDIT_FORMS:
        abort(404)
    m = get_scoped_or_404(Meeting, meeting_id)
    return m, minutes.entry_of(m, kind, entry_id)


def _entry_page(m, kind, row, form, remove, status=200, error=None):
    return render(
        "pks/meeting_entry.html",
        m=m,
        kind=kind,
        label=minutes.ENTRIES[kind].label,
        row=row,
        form=form,
        remove=remove,
        frozen=minutes.minutes_frozen(m),
        status=status,
        error=error,
    )


@bp.route("/rapat/<int:meeting_id>/<kind>/<int:entry_id>/ubah", methods=["GET", "POST"])
@audit.not_sensitive
def meeting_entry(meeting_id, kind, entry_id):
    """Correct an attendee, decision or action item (on the version shown); the page also offers its deletion."""
    m, row = _meeting_entry(meeting_id, kind, entry_id)
    if row is None:
        abort(404)
    form, remove = _entry_forms(kind, row, "edit" if request.method == "POST" else "")
    if request.method == "GET":
        return _entry_page(m, kind, row, form, remove)
    out = minutes.edit_entry(m, kind, row, form, current_user)
    return answer(out, form) or _entry_page(m, kind, row, form, remove, status=FORM_INVALID, error=out.error)


@bp.route("/rapat/<int:meeting_id>/<kind>/<int:entry_id>/hapus", methods=["POST"])
def meeting_entry_remove(meeting_id, kind, entry_id):
    """Delete an entry with a reason. A second tap finds it gone: back to the meeting, saying so."""
    m, row = _meeting_entry(meeting_id, kind, entry_id)
    if row is None:
        flash(minutes.GONE, "ok")
        return redirect(url_for("pks.meeting", meeting_id=m.id), 303)
    form, remove = _entry_forms(kind, row, "remove")
    out = minutes.remove_entry(m, kind, row, remove, current_user)
    return answer(out, remove) or _entry_page(
        m, kind, row, form, remove, status=FORM_INVALID, error=out.error
    )


# ---- the meeting itself: edit, delete, take an agreement off -------------------------------------------------


def _meeting_forms(m, posted: str = "", unlinking: int | None = None):
    """The edit form, the delete form and one unlink form per discussed agreement the user can see: the one
    ``posted`` ("edit", "remove" or "unlink" of agreement ``unlinking``) reads the request."""
    form = MeetingEditForm() if posted == "edit" else MeetingEditForm(formdata=None, obj=m)
    form.host_regency_id.choices = _regencies()
    if posted != "edit":
        form.host_regency_id.data = m.host_regency_id or 0
    remove = MeetingRemoveForm(prefix="x", **({} if posted == "remove" else {"formdata": None, "obj": m}))
    unlink = {
        a.id: UnlinkAgreementForm(
            prefix=f"u{a.id}", **({} if posted == "unlink" and a.id == unlinking else {"formdata": None})
        )
        for a in minutes.discussed(m).shown
    }
    return form, remove, unlink


def _meeting_edit_page(m, forms, status=200, error=None):
    form, remove, unlink = forms
    return render(
        "pks/meeting_edit.html",
        m=m,
        form=form,
        remove=remove,
        unlink=unlink,
        frozen=minutes.minutes_frozen(m),
        status=status,
        error=error,
    )


@bp.route("/rapat/<int:meeting_id>/ubah", methods=["GET", "POST"])
@audit.not_sensitive
def meeting_edit(meeting_id):
    """Correct the meeting itself (on the version shown); the page also offers its deletion and taking off an
    agreement it did not discuss."""
    m = get_scoped_or_404(Meeting, meeting_id)
    if request.method == "GET":
        return _meeting_edit_page(m, _meeting_forms(m))
    forms = _meeting_forms(m, "edit")
    out = minutes.save_meeting(m, forms[0], current_user, today_local())
    return answer(out, forms[0]) or _meeting_edit_page(m, forms, status=FORM_INVALID, error=out.error)


@bp.route("/rapat/<int:meeting_id>/hapus", methods=["POST"])
def meeting_remove(meeting_id):
    """Delete a meeting recorded by mistake, with a reason. A second tap finds it deleted: it says so."""
    if minutes.deleted_in_scope(meeting_id):
        flash(minutes.DELETED, "ok")
        return redirect(url_for("pks.index"), 303)
    m = get_scoped_or_404(Meeting, meeting_id)
    forms = _meeting_forms(m, "remove")
    out = minutes.remove_meeting(m, forms[1], current_user)
    return answer(out, forms[1]) or _meeting_edit_page(m, forms, status=FORM_INVALID, error=out.error)


@bp.route("/rapat/<int:meeting_id>/kesepakatan/<int:agreement_id>/lepas", methods=["POST"])
def meeting_unlink(meeting_id, agreement_id):
    """Take an agreement (one the user can see) off the meeting, with a reason."""
    m = get_scoped_or_404(Meeting, meeting_id)
    a = get_scoped_or_404(Agreement, agreement_id)
    forms = _meeting_forms(m, "unlink", a.id)
    form = forms[2].get(a.id) or UnlinkAgreementForm(prefix=f"u{a.id}")
    out = minutes.unlink_agreement(m, a, form, current_user)
    return answer(out, form) or _meeting_edit_page(m, forms, status=FORM_INVALID, error=out.error)


@bp.route("/rapat/<int:meeting_id>/notulen", methods=["GET", "POST"])
@audit.not_sensitive
def meeting_notulen(meeting_id):
    """The notulen text of the meeting (on the version shown)."""
    m = get_scoped_or_404(Meeting, meeting_id)
    form = NotulenForm() if request.method == "POST" else NotulenForm(formdata=None, obj=m)
    out = minutes.save_notulen(m, form, current_user) if request.method == "POST" else None
    if out is not None and (done := answer(out, form)):
        return done
    return render(
        "pks/meeting_notulen.html",
        m=m,
        form=form,
        frozen=minutes.minutes_frozen(m),
        status=FORM_INVALID if out is not None else 200,
        error=out.error if out is not None else None,
    )


@bp.route("/tindak-lanjut")
@audit.not_sensitive
def open_actions():
    """Tindak lanjut terbuka: the open action items of the user's scope by owner, with age and due date."""
    page = record_id(request.args.get("hal")) or 1
    today = today_local()
    return render("pks/open_actions.html", data=minutes.open_actions(today, page), today=today)
