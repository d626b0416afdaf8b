"""A user's source file read and written back byte for byte as it was, except the lines fixed.

Python reads a script in the encoding its BOM or coding cookie declares (PEP 263) and splits
physical lines on ``\\n``, ``\\r\\n`` and ``\\r`` only — not on the form feeds, ``\\x1c``-``\\x1e``,
``\\x85``, U+2028 and U+2029 that ``str.splitlines`` also splits on — so line numbers in tracebacks
count that way. Here lines are split the same way, each keeps its own ending (a CRLF file stays
CRLF, a mixed file stays mixed), and the text is encoded back in the same encoding with the same
BOM. Backups are numbered and never overwritten: ``SCRIPT.orig``, ``SCRIPT.orig.1``, ...
"""
from __future__ import annotations

import codecs
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass, field

from ...errors import TensorsightError

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass
class SourceFile:
    path: str
    encoding: str              # as tokenize.detect_encoding names it ('utf-8-sig' when a BOM)
    lines: list[str]           # without their endings, split as Python's tokenizer splits
    endings: list[str] = field(default_factory=list)  # '\n', '\r\n', '\r' or '' (last line)

    @property
    def text(self) -> str:
        return join_lines(self.lines, self.endings)

    def encoded(self) -> bytes:
        """The file's bytes: the same encoding, the same BOM, each line's own ending."""
        return self.text.encode(self.encoding)


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Lines and their endings, split on ``\\n``, ``\\r\\n`` and ``\\r`` only (as Python does)."""
    lines, endings = [], []
    for m in _LINE.finditer(text):
        chunk = m.group(0)
        body = chunk.rstrip("\r\n")
        lines.append(body)
        endings.append(chunk[len(body):])
    return lines, endings


def join_lines(lines: list[str], endings: list[str]) -> str:
    """Inverse of split_lines; a line beyond the original count gets the file's usual ending."""
    usual = _usual_ending(endings)
    out = io.StringIO()
    for i, line in enumerate(lines):
        out.write(line)
        if i < len(endings):
            out.write(endings[i])
        elif i < len(lines) - 1:
            out.write(usual)
    return out.getvalue()


def _usual_ending(endings: list[str]) -> str:
    counts = {e: endings.count(e) for e in ("\n", "\r\n", "\r")}
    best = max(counts, key=counts.get)
    return best if counts[best] else "\n"


def decode(data: bytes, path: str = "<source>") -> tuple[str, str]:
    """(text, encoding) as Python decodes a source file: BOM, then coding cookie, then UTF-8."""
    try:
        # bytes.splitlines splits on \n, \r\n and \r only: a CR-only file's cookie is found too
        lines = iter(data.splitlines(keepends=True)[:2])
        encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    except SyntaxError as exc:
        raise UnicodeError(f"{path}: {exc}") from None
    return data.decode(encoding), encoding


def read(path: str) -> SourceFile:
    """Read ``path`` as Python reads a script. OSError / UnicodeError / LookupError if it cannot."""
    with open(path, "rb") as f:
        data = f.read()
    text, encoding = decode(data, path)
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    lines, endings = split_lines(text)
    return SourceFile(path, encoding, lines, endings)


def read_text(path: str) -> str:
    """The decoded text of ``path`` (no BOM), its line endings untouched."""
    return read(path).text


def check_writable(path: str) -> None:
    """One sentence unless ``path`` (an existing file) and its folder (for the backup) can be
    written. A file with no write permission bit counts as read-only, even for root."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise TensorsightError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise TensorsightError(f"{path} is not a regular file; fix --write edits regular files only")
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise TensorsightError(f"{path} is read-only; make it writable (chmod u+w) or run fix without --write "
                               f"to see the diff")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TensorsightError(f"cannot write a backup next to {path}: the folder {folder} is not writable")


def backup_name(path: str) -> str:
    """The first of ``path.orig``, ``path.orig.1``, ``path.orig.2``, ... that does not exist."""
    candidate, n = path + ".orig", 0
    while os.path.lexists(candidate):
        n += 1
        candidate = f"{path}.orig.{n}"
    return candidate


def backup(path: str) -> str:
    """Copy ``path`` byte for byte to a new numbered backup; never replaces an existing file."""
    with open(path, "rb") as f:
        data = f.read()
    while True:
        target = backup_name(path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(os.stat(path).st_mode))
        except FileExistsError:  # created between our look and our open: take the next number
            continue
        except OSError as exc:
            raise TensorsightError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return target


def encodable(src: SourceFile) -> str | None:
    """None when the text encodes in the file's encoding, else why not (one sentence)."""
    try:
        codecs.encode(src.text, src.encoding)
    except UnicodeEncodeError as exc:
        return (f"the fix for {src.path} has {exc.object[exc.start:exc.end]!r}, which the file's encoding "
                f"{src.encoding} cannot hold")
    return None


def write(src: SourceFile) -> None:
    """Write ``src`` back in place (same inode, so permissions and links stay)."""
    data = src.encoded()
    try:
        with open(src.path, "r+b") as f:
            f.write(data)
            f.truncate()
    except OSError as exc:
        raise TensorsightError(f"cannot write {src.path}: {exc.strerror or exc}") from None


# A file longer than this is parsed with libcst one top-level statement at a time, around the
# line asked about: libcst needs ~1 ms and ~20 KB per line, so a 100k-line script parsed whole
# took minutes and GBs; Python's own ast finds the statement boundaries in a fraction of that.
WINDOW_MIN_LINES = 2000
_spans: dict[str, tuple[float, list[tuple[int, int]]]] = {}


def statement_span(path: str, text: str, line: int) -> tuple[int, int] | None:
    """(first, last) line of the top-level statement holding ``line`` (decorators included)."""
    import ast
    import bisect
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    hit = _spans.get(path)
    if hit is None or hit[0] != mtime:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return None
        spans = []
        for node in tree.body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            spans.append((first, node.end_lineno or node.lineno))
        hit = _spans[path] = (mtime, spans)
    spans = hit[1]
    i = bisect.bisect_right(spans, (line, float("inf"))) - 1
    if i < 0:
        return None
    first, last = spans[i]
    # statements sharing a line (``a = 1; b = 2``) or a line ending the previous one: widen
    while i + 1 < len(spans) and spans[i + 1][0] <= last:
        i += 1
        last = max(last, spans[i][1])
    return (first, last) if first <= line <= last else None
