"""The two links to other modules, through their public interfaces only (SIDILAN's person summary, PKS
coverage). SIDILAN and PKS are always installed with Rujukan (blueprints/registry.py), so no fallback."""

from datetime import date

from blueprints.pks import public as pks_public
from blueprints.sidilan import public as sidilan_public


def find_person(nik: str, regency_ids: set[int], jorong_ids: set[int] = frozenset()):
    """SIDILAN PersonSummary or None (same regency, or resident of a border jorong)."""
    return sidilan_public.find_person_by_nik(nik, regency_ids, jorong_ids)


def covering_agreements(nagari_code: str | None, jorong_id: int | None, on: date) -> list:
    """PKS Coverage rows for an address, [] when no address is known."""
    if not nagari_code:
        return []
    return pks_public.covering_agreements(nagari_code, jorong_id, on)
