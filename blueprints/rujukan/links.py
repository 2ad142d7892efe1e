"""The two links to other modules, imported lazily so Rujukan runs (without prefill or border
detection) when SIDILAN or PKS is not installed."""
from datetime import date
from importlib import import_module


def _public(module: str):
    try:
        return import_module(f"blueprints.{module}.public")
    except ModuleNotFoundError:
        return None


def find_person(nik: str, regency_ids: set[int], jorong_ids: set[int] = frozenset()):
    """SIDILAN PersonSummary or None (same regency, or resident of a border jorong)."""
    mod = _public("sidilan")
    if mod is None:
        return None
    return mod.find_person_by_nik(nik, regency_ids, jorong_ids)


def covering_agreements(nagari_code: str | None, jorong_id: int | None, on: date) -> list:
    """PKS Coverage rows for an address, [] when PKS is not installed or no address is known."""
    mod = _public("pks")
    if mod is None or not nagari_code:
        return []
    return list(mod.covering_agreements(nagari_code, jorong_id, on))
