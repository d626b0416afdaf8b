"""Repair search for a crash, in pipeline order:

sites.py (the failing op's data-flow slice: candidate root-cause lines) → templates.py + fit.py
(candidate edits from a library kept as data, pruned by a local shape check) → validate.py
(each candidate re-run in a forked child with the edit applied in memory) → rank.py (fewest
edits, agreement with the rest of the program and with axis provenance) → report.py (the
finding: why the line is the root cause, the arithmetic, the fix and its alternative);
search.py runs them in that order within a time budget.
"""
