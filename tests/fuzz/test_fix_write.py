"""``fix --write`` never loses code: numbered backups, each line's ending, the file's encoding
(BOM, coding cookie), lines split as Python's tokenizer splits them, read-only refused first.
The file handling is checked directly on generated files; one end-to-end run per kind of file."""
from __future__ import annotations

import itertools
import os
import shutil

import pytest

from tensorsight.diagnose.edit import edits, source_file
from tensorsight.errors import TensorsightError

from .helpers import cli

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "diagnose", "scripts")
BUGGY = os.path.join(SCRIPTS, "crash_linear_sequential.py")

ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
ENCODINGS = {"utf8": ("", "utf-8"), "bom": ("", "utf-8-sig"), "latin1": ("# -*- coding: latin-1 -*-\n", "latin-1"),
             "cp1252": ("# vim: set fileencoding=cp1252 :\n", "cp1252")}
ODD_TEXT = {"plain": "", "formfeed": "\x0c", "u2028": "s = 'a\u2028b'\n", "seps": "s = '\x1c\x1d\x1e\x85'\n",
            "u2029": "# \u2029 in a comment\n"}


def _make(tmp_path, ending, encoding, odd):
    cookie, codec = ENCODINGS[encoding]
    body = cookie + "import math\n" + ODD_TEXT[odd] + "x = max(1, 2)  # café\ny = math.floor(2.5)\n"
    if odd == "formfeed":
        body = body.replace("y = ", "\x0cy = ")
    text = body.replace("\n", ENDINGS[ending])
    path = tmp_path / f"{ending}_{encoding}_{odd}.py"
    path.write_bytes(text.encode(codec))
    return path, text


def _encodable(encoding, odd):
    try:
        ODD_TEXT[odd].encode(ENCODINGS[encoding][1])
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("ending,encoding,odd", [c for c in itertools.product(ENDINGS, ENCODINGS, ODD_TEXT)
                                                 if _encodable(c[1], c[2])])
def test_read_edit_write_keeps_everything_but_the_fixed_line(tmp_path, ending, encoding, odd):
    path, text = _make(tmp_path, ending, encoding, odd)
    raw = path.read_bytes()
    src = edits.load(str(path))
    assert src is not None, "the file must be readable for fixes"
    line = next(i for i, t in enumerate(src.lines, 1) if t.endswith("x = max(1, 2)  # café"))
    compiled = compile(raw, str(path), "exec")
    assert any(ins.positions.lineno == line for ins in __import__("dis").get_instructions(compiled)
               if ins.opname == "LOAD_NAME" and ins.argval == "max"), "line numbers as Python counts them"
    fixes = edits.replace_arg(str(path), line, ("max",), 1, None, "3")
    assert fixes and fixes[0].new == fixes[0].old.replace("max(1, 2)", "max(1, 3)")
    f = source_file.read(str(path))
    f.lines[line - 1] = fixes[0].new
    backup = source_file.backup(str(path))
    source_file.write(f)
    assert open(backup, "rb").read() == raw
    assert path.read_bytes() == raw.replace("max(1, 2)".encode(), "max(1, 3)".encode())


def test_backups_are_numbered_and_never_replaced(tmp_path):
    path = tmp_path / "s.py"
    versions = [f"v = {i}\n" for i in range(4)]
    made = []
    for text in versions:
        path.write_text(text)
        made.append(source_file.backup(str(path)))
    assert [os.path.basename(b) for b in made] == ["s.py.orig", "s.py.orig.1", "s.py.orig.2", "s.py.orig.3"]
    assert [open(b).read() for b in made] == versions


def test_read_only_script_is_refused_before_any_run_or_backup(tmp_path, capsys):
    script = tmp_path / "ro.py"
    shutil.copy(BUGGY, script)
    script.chmod(0o444)
    rc, _, err = cli(["fix", "--write", script], capsys)
    assert rc == 2 and "read-only" in err and "Traceback" not in err, err
    assert not list(tmp_path.glob("*.orig*"))
    with pytest.raises(TensorsightError):
        source_file.check_writable(str(script))


def test_an_unencodable_fix_is_refused(tmp_path):
    path = tmp_path / "l.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nx = 1\n".encode("latin-1"))
    f = source_file.read(str(path))
    f.lines[1] = "x = '\u20ac\u4e2d'"
    assert "cannot hold" in source_file.encodable(f)


@pytest.mark.parametrize("kind", ["crlf_bom"])  # latin-1 and form feeds: the table above
def test_fix_write_end_to_end_twice(tmp_path, kind, capsys):
    text = open(BUGGY, encoding="utf-8").read()
    if kind == "crlf_bom":
        data = b"\xef\xbb\xbf" + text.replace('"""LeNet', '"""LeNet \u00e9').replace("\n", "\r\n").encode()
    else:
        data = ("# -*- coding: latin-1 -*-\n" + text.replace("torch.manual_seed(2)\n", "\x0ctorch.manual_seed(2)\n")
                .replace('print("done"', 'print("caf\u00e9"')).encode("latin-1")
    script = tmp_path / "s.py"
    (tmp_path / "s.py.orig").write_bytes(b"an older backup the user keeps\n")
    script.write_bytes(data)
    rc, _, err = cli(["fix", "--write", script], capsys)
    assert rc == 0, err
    fixed = script.read_bytes()
    assert (tmp_path / "s.py.orig").read_bytes() == b"an older backup the user keeps\n"
    assert (tmp_path / "s.py.orig.1").read_bytes() == data
    assert fixed != data and fixed.startswith(data[:20])
    if kind == "crlf_bom":
        assert fixed.count(b"\r\n") == data.count(b"\r\n") and b"\n" not in fixed.replace(b"\r\n", b"")
    else:
        fixed.decode("latin-1")
        assert b"\x0ctorch.manual_seed" in fixed and "caf\u00e9".encode("latin-1") in fixed
    rc, _, err = cli(["fix", "--write", script], capsys)  # a second run: nothing lost either
    assert rc == 0, err
    assert (tmp_path / "s.py.orig.1").read_bytes() == data
