"""The spreadsheet import (docs/sidilan.md §7.4), in the order it runs: ``read`` the file into rows (and guess
the header row and the column mapping), keep them in the ``pending`` temporary area, ``parse`` cells into
values, ``plan`` each row (the dry run: one rule function per field, then matching), ``apply`` the plan in chunks
inside an import batch, ``undo`` a batch as a unit.
What the views and tests use is re-exported here."""

from .apply import (
    IMPORT_FAILED,
    chunk_size,
    done_message,
    open_batch,
    queue_run,
    resumable,
    resume_import,
    run_import,
    start_import,
    stopped,
)
from .parse import clean_name, lookup, normalise_header, parse_date, parse_ragam, parse_sex, split_ttl
from .pending import Pending, create_pending, load_pending, upload_import
from .plan import (
    BARU,
    COCOK,
    DITOLAK,
    STATUS_LABELS,
    Cells,
    DryRun,
    Regions,
    RowResult,
    check_row,
    dry_run,
    shown_dry_run,
)
from .read import (
    FIELD_BY_KEY,
    FIELDS,
    MAX_CHARS,
    MAX_ROWS,
    SOURCES,
    ImportFileError,
    Sheet,
    guess_mapping,
    read_mapping,
    read_upload,
)
from .undo import edited_since, undo_batch

__all__ = [
    "BARU",
    "COCOK",
    "DITOLAK",
    "FIELDS",
    "FIELD_BY_KEY",
    "IMPORT_FAILED",
    "MAX_CHARS",
    "MAX_ROWS",
    "SOURCES",
    "STATUS_LABELS",
    "Cells",
    "DryRun",
    "ImportFileError",
    "Pending",
    "Regions",
    "RowResult",
    "Sheet",
    "check_row",
    "chunk_size",
    "clean_name",
    "create_pending",
    "dry_run",
    "guess_mapping",
    "load_pending",
    "lookup",
    "normalise_header",
    "done_message",
    "open_batch",
    "queue_run",
    "parse_date",
    "parse_ragam",
    "parse_sex",
    "read_mapping",
    "read_upload",
    "resumable",
    "resume_import",
    "run_import",
    "start_import",
    "stopped",
    "undo_batch",
    "edited_since",
    "shown_dry_run",
    "split_ttl",
    "upload_import",
]
