"""SIDILAN dashboard (item 9)."""

from flask_login import current_user

from blueprints.core import audit
from blueprints.core.charts import bar_chart, percent
from blueprints.core.render import render
from blueprints.core.timeutil import today_local

from .. import bp, report_dashboard


@bp.route("/dasbor")
@audit.not_sensitive
def dashboard():
    data = report_dashboard.build(current_user, today_local())
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
    return render("sidilan/report_dashboard.html", d=data, charts=charts, percent=percent)
