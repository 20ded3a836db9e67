"""Open an export file: hash it, detect compression, encoding, delimiter and header.

Everything here looks at bytes and text only; typing happens in DuckDB (see load.py).
A file that cannot be read as a table is refused with an InputError naming the file.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import InputError

CHUNK_BYTES = 1 << 20  # read files 1 MiB at a time: constant memory whatever the size
SAMPLE_BYTES = 1 << 20  # decoded text used to recognise the layout and profile values
SAMPLE_ROWS = 5000  # rows kept for recognition; typing always covers every row
MAX_LINE_BYTES = 8 << 20  # a single CSV record longer than this is damage, not data
TITLE_LINES = 5  # title lines looked through above a header row, to say where the table starts
DELIMITERS = (",", ";", "\t", "|")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
BINARY_CONTROL_SHARE = 0.01  # more control bytes than this in the sample: not a text file
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_NON_ASCII_TEXT = re.compile("[^\x00-\x7f\ufffd]")  # a character only valid multi-byte UTF-8 decodes to


@dataclass
class Source:
    """One export file as Payoff sees it before any mapping is applied."""

    path: Path
    name: str
    sha256: str
    size_bytes: int
    compressed: bool
    encoding: str
    delimiter: str
    header: list[str]
    sample: list[list[str]]
    notes: list[str] = field(default_factory=list)
    blank_lines: bool | None = None  # whether an empty line occurs (None: not known, e.g. UTF-16)
    stray_boms: bool = False  # byte-order marks after the start (exports joined end to end): removed when read
    raw_header: list[str] = field(default_factory=list)  # the header cells as written (trimmed), before renaming

    @property
    def n_columns(self) -> int:
        return len(self.header)


def open_source(path: str | os.PathLike, name: str | None = None) -> Source:
    """Read a file's bytes once to hash and sniff it; refuse what is not a delimited text table."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise InputError(name, "no such file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(name, "the file is empty")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(ZIP_MAGIC):
        raise InputError(name, _zip_message(path))
    compressed = magic.startswith(GZIP_MAGIC)
    head = _read_head(path, compressed, name, SAMPLE_BYTES)
    if not head.strip():
        raise InputError(name, "the file is empty")
    _refuse_binary(head, name)
    scan = _scan(path, compressed, utf16=_utf16(head) is not None)
    encoding = _utf16(head) or _text_encoding(head, scan)
    text = _decode_sample(head, encoding)
    if not text.strip():
        raise InputError(name, "the file is empty")
    delimiter = _detect_delimiter(text)
    if delimiter is None:
        raise InputError(name, _no_delimiter_message(text), row=1)
    rows = _parse_rows(text, delimiter, complete=len(head) < SAMPLE_BYTES)
    if len(rows) < 2 and len(head) == SAMPLE_BYTES:  # the first data row is longer than the sample
        limit = SAMPLE_BYTES + MAX_LINE_BYTES
        head = _read_head(path, compressed, name, limit)
        rows = _parse_rows(_decode_sample(head, encoding), delimiter, complete=len(head) < limit)
        if not rows or (len(rows) < 2 and len(head) == limit):
            raise InputError(name, f"this row is longer than {MAX_LINE_BYTES >> 20} MiB (damaged data, or a quote "
                             "never closed?); nothing was loaded", row=2)
    header, notes = _clean_header(rows[0], name)
    sample = rows[1 : SAMPLE_ROWS + 1]
    if not sample:
        raise InputError(name, "the file has a header row but no data rows")
    stray_boms = scan.stray_boms and scan.utf8  # in a file of mixed encodings the reader refuses the bad row
    if stray_boms:
        notes.append("byte-order marks inside the file (exports joined end to end?) were removed from the values")
    raw_header = [cell.replace("\ufeff", "").strip() for cell in rows[0]]
    return Source(path, name, scan.sha256, size, compressed, encoding, delimiter, header, sample, notes,
                  scan.blank_lines, stray_boms, raw_header)


def utf8_copy(source: Source, workdir: str | os.PathLike) -> tuple[Path, str]:
    """A path DuckDB can read as UTF-8, and its compression ('gzip' or 'none').

    UTF-8 files are read in place; other encodings, and UTF-8 with byte-order marks after
    its start, are transcoded once, streaming, without any byte-order mark.
    """
    if source.encoding in ("utf-8", "utf-8-sig") and not source.stray_boms:
        return source.path, "gzip" if source.compressed else "none"
    target = Path(workdir) / "transcoded.csv"
    opener = gzip.open if source.compressed else open
    try:
        with opener(source.path, "rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
            reader = codecs.getreader(source.encoding)(raw, errors="strict")
            while chunk := reader.read(CHUNK_BYTES):
                out.write(chunk.replace("\ufeff", ""))
    except (OSError, EOFError) as exc:
        raise InputError(source.name, f"cannot decompress the file: it is damaged or cut short ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(source.name, f"not valid {source.encoding} text at byte {exc.start}") from exc
    return target, "none"


def record_lines(source: Source, path: Path, compression: str) -> list[int] | None:
    """The spreadsheet row of each data record, when blank lines make it differ from the record count.

    DuckDB skips blank lines, so record numbers drift from the rows a spreadsheet shows, where
    a blank line is an empty row and a quoted value over several lines is still one row; this
    pass (only for files that have blank lines) maps them back. None when not needed.
    """
    opener = gzip.open if compression == "gzip" else open
    if source.blank_lines is None:  # not known from the first pass (UTF-16): look at the UTF-8 copy
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            previous = ""
            while chunk := fh.read(CHUNK_BYTES):
                if "\n\n" in previous + chunk or "\n\r\n" in previous + chunk:
                    break
                previous = chunk[-2:]
            else:
                return None
    elif not source.blank_lines:
        return None
    starts: list[int] = []
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for row_number, row in enumerate(_csv_reader(fh, source.delimiter), start=1):
            if row:  # a blank line is an empty row of its own
                starts.append(row_number)
    return starts[1:]  # the first record is the header


def archive_copy(source: Source, archive_dir: str | os.PathLike) -> Path:
    """Keep the raw file under its content hash so every load can be traced to its bytes."""
    folder = Path(archive_dir) / source.sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_file_name(source.name)
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        os.close(fd)
        shutil.copyfile(source.path, tmp)
        os.replace(tmp, target)
    return target


def safe_file_name(name: str) -> str:
    """A file name with no folder parts, so a user-chosen name never escapes the archive."""
    base = Path(name.replace("\\", "/")).name.strip().lstrip(".")
    cleaned = "".join(ch if ch.isalnum() or ch in "-_. " else "_" for ch in base)
    return cleaned[:120] or "export.csv"


def _csv_reader(lines, delimiter: str):
    """csv.reader that accepts a field as long as a record may be (Python's default stops at 128 KiB)."""
    if csv.field_size_limit() < MAX_LINE_BYTES:
        csv.field_size_limit(MAX_LINE_BYTES)  # process-wide, but only ever raised to this one value
    return csv.reader(lines, delimiter=delimiter)


def _read_head(path: Path, compressed: bool, name: str, size: int) -> bytes:
    try:
        if compressed:
            with gzip.open(path, "rb") as fh:
                return fh.read(size)
        with path.open("rb") as fh:
            return fh.read(size)
    except (OSError, EOFError) as exc:
        raise InputError(name, f"cannot decompress the file ({exc})") from exc


def _zip_message(path: Path) -> str:
    """Why a ZIP file is refused: an Excel workbook (itself a ZIP) needs saving as CSV, an archive unzipping."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        names = []
    if any(n.startswith("xl/") for n in names):
        return "this is an Excel workbook (.xlsx), not a CSV; save it as CSV (UTF-8) in Excel and load that"
    return "this is a ZIP archive, not a CSV; unzip it and load the CSV inside"


def _utf16(head: bytes) -> str | None:
    """UTF-16 by its BOM or by NUL bytes in every other position; None otherwise."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        even, odd = head[0:400:2], head[1:400:2]
        if odd.count(0) > 0.9 * len(odd):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even):
            return "utf-16-be"
    return None


def _refuse_binary(head: bytes, name: str) -> None:
    """Refuse what is not text: NUL bytes (outside UTF-16) or many control characters."""
    if _utf16(head) is not None:
        return
    if b"\x00" in head:
        raise InputError(name, f"binary data (NUL byte at offset {head.index(0)}); this is not a text CSV export")
    controls = sum(head.count(bytes([b])) for b in _CONTROL_BYTES)
    if controls > BINARY_CONTROL_SHARE * len(head):
        raise InputError(name, "binary data (control characters); this is not a text CSV export")


def _text_encoding(head: bytes, scan: _Scan) -> str:
    """UTF-8 (with or without BOM) when every byte decodes, else Windows-1252 (or Latin-1).

    A file with valid multi-byte UTF-8 characters beside invalid bytes is UTF-8 with some
    foreign rows (exports joined): it is read as UTF-8, so the reader names the first bad row
    instead of every accented character turning into mojibake.
    """
    if scan.utf8 or scan.utf8_multibyte:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    return "cp1252" if _decodes(head, "cp1252") else "latin-1"


@dataclass
class _Scan:
    sha256: str
    utf8: bool  # every byte decodes as UTF-8
    utf8_multibyte: bool  # some non-ASCII characters decode as UTF-8
    blank_lines: bool | None
    stray_boms: bool  # a UTF-8 byte-order mark after the first byte


def _scan(path: Path, compressed: bool, *, utf16: bool) -> _Scan:
    """One streaming pass over the content: sha256 (of the file's own bytes), UTF-8 validity, blank lines,
    byte-order marks after the start.

    A compressed file is hashed over its compressed bytes, so it needs a second, raw pass.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    utf8, multibyte, blank, boms, tail, first = not utf16, False, False, False, b"", True
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                if not compressed:
                    digest.update(chunk)
                if not utf16 and (utf8 or not multibyte):  # once both are known, the rest cannot change them
                    text = decoder.decode(chunk)
                    if utf8 and text.count("\ufffd") > chunk.count("\ufffd".encode()):
                        utf8 = False
                    multibyte = multibyte or bool(_NON_ASCII_TEXT.search(text))
                if not utf16:
                    joined = tail + chunk
                    blank = blank or b"\n\n" in joined or b"\n\r\n" in joined
                    boms = boms or joined.find(codecs.BOM_UTF8, 1 if first else 0) >= 0
                    tail, first = chunk[-2:], False
            if utf8 and decoder.decode(b"", final=True):
                utf8 = False  # the file ends inside a multi-byte character
    except (OSError, EOFError) as exc:
        raise InputError(path.name, f"cannot decompress the file: it is damaged or cut short ({exc})") from exc
    if compressed:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                digest.update(chunk)
    return _Scan(digest.hexdigest(), utf8, multibyte, None if utf16 else blank, boms)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _decode_sample(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="ignore")
    return text.lstrip("\ufeff")


def _parse_rows(text: str, delimiter: str, *, complete: bool) -> list[list[str]]:
    try:
        rows = list(_csv_reader(io.StringIO(text, newline=""), delimiter))
    except csv.Error:  # a field over the limit: the sample ends inside it (an open quote, or damage)
        rows = []
    if not complete and len(rows) > 1:
        rows = rows[:-1]  # the sample may end mid-row
    return [r for r in rows if any(cell.strip() for cell in r)]


def _detect_delimiter(text: str) -> str | None:
    """The delimiter that splits the header and the first rows into the same, largest count."""
    lines = text.splitlines()[:200]
    best, best_score = None, (0.0, 0)
    for delim in DELIMITERS:
        try:
            rows = [r for r in _csv_reader(lines, delim) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = sum(len(r) == width for r in rows) / len(rows)
        score = (round(agree, 2), width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _no_delimiter_message(text: str) -> str:
    """Why no delimiter was found: title lines above the table, or no table at all."""
    lines = text.splitlines()
    for start in range(1, min(TITLE_LINES, len(lines)) + 1):
        delimiter = _detect_delimiter("\n".join(lines[start:]))
        if delimiter is not None:
            row = start + 1 + next(i for i, line in enumerate(lines[start:]) if line.strip())
            return (f"this is a title, not a header row: the table starts at row {row}; delete the lines above "
                    "its header row and load the file again")
    return ("could not find a column delimiter (tried comma, semicolon, tab and |); "
            "is this a CSV export with a header row?")


def _clean_header(raw: list[str], name: str) -> tuple[list[str], list[str]]:
    """Trim header names, name blank ones, and make repeated names unique (noted)."""
    header, notes, seen = [], [], {}
    for i, cell in enumerate(raw, start=1):
        label = " ".join(cell.replace("\ufeff", "").split()) or f"column {i}"
        key = label.lower()
        if key in seen:
            seen[key] += 1
            new = f"{label} ({seen[key]})"
            notes.append(f"column {i}: the header '{label}' repeats an earlier column; read as '{new}'")
            label = new
        else:
            seen[key] = 1
        header.append(label)
    return header, notes
