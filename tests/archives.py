"""Zip archives for upload tests (xlsx-shaped zip bombs and the like), built without holding them unpacked."""

import io
import zipfile


def zip_of(members: dict) -> bytes:
    """A deflated zip of ``members`` (name -> bytes, or a callable that streams into the open member)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            if callable(content):
                with archive.open(name, "w", force_zip64=True) as fh:
                    content(fh)
            else:
                archive.writestr(name, content)
    return buf.getvalue()


def zeros(megabytes: int):
    """A member writer of ``megabytes`` MB of zero bytes (compresses to almost nothing)."""

    def write(fh):
        block = b"\0" * (1024 * 1024)
        for _ in range(megabytes):
            fh.write(block)

    return write
