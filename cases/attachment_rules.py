"""What a file is, told from its first bytes (its signature), never from its name — pure.

Kinds accepted are the keys of :data:`KINDS`; ``ATTACHMENT_TYPES`` chooses among them. Programs
(Windows' MZ, Linux's ELF, macOS' Mach-O, Java classes) and scripts (``#!``) are refused whatever
their name says, so a program renamed ``report.pdf`` never reaches storage.

| kind | signature                         | shown as |
|------|-----------------------------------|----------|
| pdf  | ``%PDF-`` within the first 1 KiB  | PDF      |
| png  | ``89 50 4E 47 0D 0A 1A 0A``       | PNG image|
| jpeg | ``FF D8 FF``                      | JPEG image|
"""

from __future__ import annotations

from dataclasses import dataclass

# How many leading bytes :func:`sniff` needs (PDF readers accept the header within the first KiB).
HEAD_BYTES = 1024


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extension: str


KINDS = {
    "pdf": Kind("PDF", "application/pdf", "pdf"),
    "png": Kind("PNG image", "image/png", "png"),
    "jpeg": Kind("JPEG image", "image/jpeg", "jpg"),
}

EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows programs and libraries
    b"\x7fELF",  # Linux and Unix programs
    b"#!",  # scripts
    b"\xca\xfe\xba\xbe",  # Mach-O universal binaries and Java classes
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
)


class RefusedFile(ValueError):
    """The file may not be attached; the message says why, in words for the caseworker."""


def is_executable(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").startswith(EXECUTABLE_SIGNATURES)


def sniff(head: bytes) -> str | None:
    """The kind of a file whose first bytes are ``head``, or None for one we do not know."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"%PDF-" in head[:HEAD_BYTES]:
        return "pdf"
    return None


def check(head: bytes, size: int, *, allowed: list[str], max_bytes: int) -> str:
    """The kind of an upload of ``size`` bytes starting ``head``, or :class:`RefusedFile`."""
    if size <= 0:
        raise RefusedFile("The file is empty.")
    if size > max_bytes:
        raise RefusedFile(f"The file is too large: {size:,} bytes; the limit is {max_bytes:,} bytes.")
    if is_executable(head):
        raise RefusedFile("Programs and scripts cannot be attached.")
    kind = sniff(head)
    if kind is None or kind not in allowed:
        names = ", ".join(KINDS[k].label for k in allowed)
        raise RefusedFile(f"This type of file cannot be attached (whatever its name says). Accepted: {names}.")
    return kind


def download_name(original: str, kind: str) -> str:
    """The name a download is saved under: the uploaded name's stem, kept to safe characters,
    with the extension of what the file really is."""
    stem = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in stem).strip(" ._") or "attachment"
    return f"{safe[:100]}.{KINDS[kind].extension}"
