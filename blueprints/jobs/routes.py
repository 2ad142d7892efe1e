from flask import request
from flask_login import current_user

from blueprints.core import audit, jobs
from blueprints.core.export import download as file_response
from blueprints.core.pagination import paginate
from blueprints.core.render import render

from . import bp


@bp.route("/")
@audit.not_sensitive
def index():
    page = paginate(jobs.own_jobs(current_user), request.args.get("hal"))
    return render("jobs/index.html", "jobs/_list.html", page=page)


@bp.route("/<int:id>")
@audit.not_sensitive
def show(id: int):
    return render("jobs/show.html", "jobs/_status.html", job=jobs.own_job_or_404(id, current_user))


@bp.route("/<int:id>/unduh")
@audit.reads("job", "unduh hasil pekerjaan")
def download(id: int):
    data, name = jobs.take_result(jobs.own_job_or_404(id, current_user), current_user)
    return file_response(data, name)
