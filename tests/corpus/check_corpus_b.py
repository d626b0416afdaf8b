"""Check the silent and correct cases listed in SOURCES_B.md and SOURCES_C2.md.

Each program.py must exit 0 within 60 s; for a silent case fixed.py must exit 0 too, differ
from program.py by at most 4 changed lines (counted as ../shared/eval/score counts them), and
meta.json's fix must sit at fault_line with fix.old equal to that line of program.py, stripped.
A crash case listed there (a training script with an injected bug) is checked by check_corpus.py.

    OMP_NUM_THREADS=1 /work/main/.venv/bin/python tests/corpus/check_corpus_b.py [ID ...]
    ... check_corpus_b.py --dir tests/corpus/para_silent [ID ...]   (every case of that folder)

A case written as a paraphrase of a dev case carries one more key, ``paraphrase_of``.
"""
import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import check_corpus

HERE = Path(__file__).resolve().parent
MAX_CHANGED_LINES = 4
TIMEOUT_S = 60
META_KEYS = {'id', 'source_url', 'title', 'kind', 'error', 'fault_line', 'symptom_line',
             'category', 'fix', 'expected_value', 'explanation'}
OPTIONAL_KEYS = {'batch', 'paraphrase_of'}   # the corpus batch; the dev case a paraphrase restates
SOURCE_LISTS = ('SOURCES_B.md', 'SOURCES_C2.md')


def changed_lines(before, after):
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm='', n=0)
    return sum(1 for line in diff if line[:1] in '+-' and not line.startswith(('+++', '---')))


def case_ids():
    ids = []
    lines = [line for name in SOURCE_LISTS if (HERE / name).exists()
             for line in (HERE / name).read_text().splitlines()]
    for line in lines:
        if ' — ' in line:
            ids.append(line.split(' — ')[0].strip().lstrip('- ').strip('`'))
    return ids


def find_case(cid, folder=None):
    if folder is not None:
        return [folder / cid] if (folder / cid).is_dir() else []
    hits = [HERE / split / cid for split in ('dev', 'heldout') if (HERE / split / cid).is_dir()]
    return hits


def run(script, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1')
    try:
        p = subprocess.run([sys.executable, script], cwd=cwd, capture_output=True, text=True,
                           timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        return f'{script} ran past {TIMEOUT_S} s'
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()
        return f'{script} exit {p.returncode}: {tail[-1] if tail else ""}'
    return None


def check(cid, folder=None):
    hits = find_case(cid, folder)
    if len(hits) != 1:
        return [f'found in {len(hits)} splits']
    case = hits[0]
    problems = []
    meta = json.loads((case / 'meta.json').read_text())
    if not META_KEYS <= set(meta) <= META_KEYS | OPTIONAL_KEYS:
        problems.append(f'meta keys differ: {sorted((set(meta) - OPTIONAL_KEYS) ^ META_KEYS)}')
    if meta.get('id') != cid:
        problems.append('meta id differs from folder name')
    if meta.get('kind') == 'crash':
        return problems + check_corpus.check(case)
    source = (case / 'program.py').read_text()
    err = run('program.py', case)
    if err:
        problems.append(err)
    if meta['kind'] == 'silent':
        fixed = (case / 'fixed.py').read_text()
        n = changed_lines(source, fixed)
        if not 0 < n <= MAX_CHANGED_LINES:
            problems.append(f'fixed.py changes {n} lines')
        fix = meta['fix'] or {}
        if fix.get('line') != meta['fault_line']:
            problems.append('fix.line != fault_line')
        lines = source.splitlines()
        fl = meta['fault_line']
        if not (isinstance(fl, int) and 1 <= fl <= len(lines)) or lines[fl - 1].strip() != fix.get('old'):
            problems.append('program.py line fault_line != fix.old')
        sl = meta['symptom_line']
        if not (isinstance(sl, int) and 1 <= sl <= len(lines)):
            problems.append('symptom_line out of range')
        err = run('fixed.py', case)
        if err:
            problems.append(err)
    elif meta['kind'] == 'correct':
        if (case / 'fixed.py').exists():
            problems.append('correct case has a fixed.py')
        if meta['fault_line'] is not None or meta['fix'] is not None:
            problems.append('correct case has a fault line or fix')
    else:
        problems.append(f"kind {meta['kind']!r} is not this corpus half's")
    return problems


def main(argv):
    folder = None
    if argv[:1] == ['--dir']:
        folder, argv = Path(argv[1]).resolve(), argv[2:]
    ids = argv or (sorted(p.name for p in folder.iterdir() if (p / 'meta.json').exists()) if folder else case_ids())
    bad = 0
    for cid in ids:
        problems = check(cid, folder)
        print(('FAIL ' if problems else 'ok   ') + cid + ('' if not problems else ': ' + '; '.join(problems)))
        bad += bool(problems)
    print(f'{len(ids) - bad}/{len(ids)} cases pass')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
