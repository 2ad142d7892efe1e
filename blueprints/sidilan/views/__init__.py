"""SIDILAN views, one module per resource (docs/architecture.md §4). Importing a module registers its routes on
the sidilan blueprint; `_common` holds the template globals and helpers several of them share."""

from . import (  # noqa: F401
    _common,
    assessments,
    assistance,
    beyond,
    dashboard,
    disability,
    documents,
    duplicates,
    exports,
    fast_entry,
    households,
    imports,
    persons,
    printouts,
    programs,
    quality,
    verification,
    wgss,
    workflow,
)
