"""Demo jorong: plausible names for every nagari of the two kecamatan the demo works in, so the jorong lists,
forms and filters are not empty there. They are NOT verified lists of real jorong: each row is flagged
``is_demo`` and the admin list shows "(demo)". The one known real jorong (Tigo Jangko, seeded by
``service.seed_regions``) is kept as it is.

- Kec. Tigo Lurah (13.02.18), Kab. Solok: Nagari Tanjung Balik Sumiso holds Jorong Tigo Jangko (SIDILAN,
  Rujukan and Kerja Sama demos); Rujukan's second patient lives in Rangkiang Luluih.
- Kec. Tanjung Gadang (13.03.03), Kab. Sijunjung: the Rujukan demo's Sijunjung patient lives in Timbulun."""

from sqlalchemy import func, select

from blueprints.core.extensions import db

from .models import Jorong, Wilayah

# nagari code -> demo jorong names (without the word "Jorong": pages print it)
DEMO_JORONG = {
    "13.02.18.2001": ["Rangkiang Luluih", "Sungai Abu", "Koto Ateh", "Lubuak Aro"],  # Rangkiang Luluih
    "13.02.18.2002": ["Batu Bajanjang", "Balai Gadang", "Koto Tinggi", "Sungai Lundang", "Aia Dingin"],
    "13.02.18.2003": ["Garabak Data", "Pincuran Gadang", "Data Ateh", "Koto Panjang"],  # Garabak Data
    "13.02.18.2004": ["Tanjung Balik", "Sumiso", "Padang Laweh", "Sawah Liek"],  # + Tigo Jangko (real)
    "13.02.18.2005": ["Simanau", "Koto Lamo", "Sungai Jariang", "Lurah Gadang"],  # Simanau
    "13.03.03.2001": ["Timbulun", "Koto Tuo", "Padang Tarok", "Lubuak Jambu"],  # Timbulun
    "13.03.03.2002": ["Pasar Tanjung Gadang", "Balai Janggo", "Koto Gadang", "Sungai Rumbai", "Parik Putuih"],
    "13.03.03.2003": ["Taratak Baru", "Kampuang Tangah", "Bukik Malintang"],  # Taratak Baru
    "13.03.03.2004": ["Pulasan", "Koto Mudiak", "Koto Ilia", "Sungai Lansek"],  # Pulasan
    "13.03.03.2005": ["Langki", "Batu Rijal", "Sialang Gaung"],  # Langki
    "13.03.03.2006": ["Sibakur", "Pamatang Gadang", "Koto Rantang"],  # Sibakur
    "13.03.03.2007": ["Tanjung Lolo", "Koto Tangah", "Pulau Panjang", "Lubuak Batingkok"],  # Tanjung Lolo
    "13.03.03.2008": ["Taratak Utara", "Kampuang Baru", "Sungai Langkok"],  # Taratak Baru Utara
    "13.03.03.2009": ["Sinyamu", "Koto Baringin", "Padang Mangunai"],  # Sinyamu
}


def seed_demo_jorong() -> int:
    """Idempotent (a name already in its nagari, in any case, is left alone): the number of jorong added."""
    nagari = {w.code: w for w in db.session.scalars(select(Wilayah).where(Wilayah.code.in_(DEMO_JORONG)))}
    have = set(
        db.session.execute(
            select(Jorong.nagari_code, func.lower(Jorong.name)).where(Jorong.nagari_code.in_(DEMO_JORONG))
        )
    )
    added = 0
    for code, names in DEMO_JORONG.items():
        w = nagari.get(code)
        if w is None:  # a region list without this nagari
            continue
        for name in names:
            if (code, name.lower()) not in have:
                db.session.add(Jorong(nagari_code=code, name=name, regency_id=w.regency_id, is_demo=True))
                added += 1
    db.session.flush()
    return added
