from tests.pks.conftest import *  # noqa
from tests.conftest import HX


def test_smoke(app, solok, ids):
    urls = ["/pks/", "/pks/daftar", "/pks/daftar?q=sidilan", "/pks/papan", "/pks/papan?jenis=KSB", "/pks/menunggu",
            "/pks/cakupan", "/pks/laporan", "/pks/aturan", "/pks/baru"]
    for k, i in ids.items():
        urls += [f"/pks/{i}", f"/pks/{i}/pihak", f"/pks/{i}/tahap", f"/pks/{i}/dokumen", f"/pks/{i}/pelaksanaan",
                 f"/pks/{i}/lembar.pdf", f"/pks/{i}/linimasa.pdf", f"/pks/{i}/rapat/baru"]
    urls += ["/pks/rapat/1", "/pks/laporan.xlsx", "/pks/laporan.pdf", "/pks/1/ubah", "/"]
    for u in urls:
        r = solok.get(u)
        print(u, r.status_code, len(r.data))
        assert r.status_code in (200, 302), (u, r.get_data(as_text=True)[:3000])
