"""Person names as the registry compares them: the search form of a name, and the spelling-normalised key of
duplicate matching (docs/sidilan.md §9.4). Pure functions."""

import re

from blueprints.core.textsearch import fold


def name_search(name: str | None) -> str:
    """What the prefix search compares: lower case, single spaces."""
    return " ".join((name or "").lower().split())[:120]


def name_key(name: str | None) -> str:
    """Spelling-normalised key of duplicate matching and of the any-word search: 'Syamsul' == 'Samsul',
    'Nur Hayati' == 'Nurhayati', 'Yusuf' == 'Yusup' (the one spelling rule, ``core.textsearch.fold``; letters
    only; tuning unverified, docs/sidilan.md §13.4)."""
    return re.sub(r"[0-9]", "", fold(name))[:120]


def names_similar(a: str | None, b: str | None) -> bool:
    return keys_similar(name_key(a), name_key(b))


def keys_similar(ka: str | None, kb: str | None) -> bool:
    """``names_similar`` on keys already made (the stored ``Person.name_key``)."""
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    shorter, longer = sorted((ka, kb), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter)  # 'Siti Aminah' vs 'Siti Aminah Binti ...'


def person_name_columns(name: str | None) -> dict[str, str]:
    """The derived name columns stored with a person (every writer sets them through this)."""
    return {"name_search": name_search(name), "name_key": name_key(name)}
