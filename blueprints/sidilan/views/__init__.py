"""SIDILAN views, one module per resource (docs/architecture.md §4). Importing a module registers its routes on
the sidilan blueprint; `_common` holds the template globals and helpers several of them share."""

from . import (  # noqa: F401
    _common,
    assessments,
    assistance,
    dashboard,
    disability,
    duplicates,
    exports,
    households,
    imports,
    persons,
    printouts,
    programs,
    verification,
    workflow,
)
