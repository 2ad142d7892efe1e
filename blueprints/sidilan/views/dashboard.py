"""SIDILAN dashboard (item 9)."""

from flask import flash, redirect, url_for
from flask_login import current_user

from blueprints.core import audit
from blueprints.core.charts import bar_chart, percent
from blueprints.core.render import render

from .. import bp, report_dashboard


@bp.route("/dasbor")
@audit.not_sensitive
def dashboard():
    summary = report_dashboard.current(current_user)
    data = summary.data
    charts = {
        "ragam": bar_chart(data.ragam, "Penyandang disabilitas menurut ragam"),
        "kecamatan": bar_chart(
            [(n, (dis, old)) for n, _, dis, old in data.kecamatan],
            "Terdaftar per kecamatan",
            series=("Disabilitas", "Lansia"),
            label_width=130,
        ),
        "usia": bar_chart(
            [(b, (male, female)) for b, male, female in data.age_sex],
            "Kelompok umur dan jenis kelamin",
            series=("Laki-laki", "Perempuan"),
        ),
        "barthel": bar_chart(
            data.barthel, "Lansia menurut kategori Barthel (asesmen terakhir)", label_width=150
        ),
        "bantuan": bar_chart([(k, n) for k, _, n in data.programs], "Penerima per program bantuan"),
        "sasaran": bar_chart(
            [(g, (c, n - c)) for g, n, c in data.targets],
            "Kelompok sasaran menerima bantuan",
            series=("Menerima", "Belum"),
            label_width=140,
        ),
    }
    response = render(
        "sidilan/report_dashboard.html", d=data, summary=summary, charts=charts, percent=percent
    )
    return report_dashboard.settle(summary, response)


@bp.route("/dasbor/hitung-ulang", methods=["POST"])
def dashboard_recompute():
    """'Hitung ulang': the counts computed now (inline; a few seconds at most at 100,000 persons)."""
    summary = report_dashboard.recompute(current_user)
    flash(f"Dasbor dihitung ulang. {summary.label}.", "ok")
    return redirect(url_for("sidilan.dashboard"))
