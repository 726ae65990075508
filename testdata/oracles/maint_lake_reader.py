#!/usr/bin/env python3
"""Concurrent lake reader for Tests/PipelineTests/MaintenanceCompactionTests.

  maint_lake_reader.py LAKE COMMITTED_FILE STOP_FILE

Until STOP_FILE exists, repeatedly: read the committed row count from COMMITTED_FILE (written by the test after
each commit returns), then count rows and distinct event_ids of LAKE/**/*.parquet with DuckDB
(read_parquet, hive_partitioning) and with pyarrow.dataset (partitioning='hive'). Every read that succeeds must
have count == distinct and count >= the committed count taken before it started. A read that fails while a
compaction overlapped it (the partition directory's inode changed, or it held placeholders, before or after the
read) raced that compaction; it is counted as `failed` and retried. Its message varies: "magic bytes not found"
on a placeholder, file not found, or DuckDB's "Prefetch registered for bytes outside file" / "TProtocolException:
Invalid data" when a name changed between its stat and its open. Any other failure is an error.
Prints one JSON object: {"reads": {...}, "failed": {...}, "violations": [...], "errors": [...]}.
"""
import json, os, sys, time
import duckdb
import pyarrow.dataset as ds

lake, committed_file, stop_file = sys.argv[1:4]
con = duckdb.connect()
reads = {"duckdb": 0, "pyarrow": 0}
failed = {"duckdb": 0, "pyarrow": 0}
violations, errors = [], []


def committed():
    try:
        with open(committed_file) as f:
            return int(f.read().strip() or 0)
    except FileNotFoundError:
        return 0


PLACEHOLDER = b"WEIR COMPACTION PLACEHOLDER\n"


def swap_state():
    """Per partition directory: its inode (a swap replaces it) and whether it holds placeholders (a swap's grace)."""
    out = []
    for entry in sorted(os.listdir(lake)):
        d = os.path.join(lake, entry)
        if not entry.startswith("date=") or not os.path.isdir(d):
            continue
        tomb = False
        for name in os.listdir(d):
            try:
                with open(os.path.join(d, name), "rb") as f:
                    tomb = tomb or f.read(len(PLACEHOLDER)) == PLACEHOLDER
            except OSError:
                tomb = True  # it vanished while we looked: a sweep
        out.append((entry, os.stat(d).st_ino, tomb))
    return out


def compaction_overlapped(before, after):
    """Whether a compaction swap or placeholder grace overlapped the read that ran between the two states."""
    return before != after or any(t for _, _, t in before + after)


def duck():
    return con.execute(f"select count(*), count(distinct event_id) from read_parquet('{lake}/**/*.parquet', hive_partitioning=1)").fetchone()


def arrow():
    d = ds.dataset(lake, format="parquet", partitioning="hive")
    if not d.files:  # nothing listed: 0 rows (a violation unless nothing was committed yet)
        return 0, 0
    t = d.to_table(columns=["event_id"])
    col = t.column("event_id")
    return t.num_rows, len(set(col.to_pylist()))


while not os.path.exists(stop_file):
    for name, fn in (("duckdb", duck), ("pyarrow", arrow)):
        floor = committed()
        before = swap_state()
        try:
            n, distinct = fn()
        except Exception as e:  # a file vanished between listing and reading, or was a placeholder, or no file yet
            msg = str(e)
            if "No files found" in msg and floor > 0:  # the glob matched nothing although rows were committed
                violations.append(f"{name}: no files listed although {floor} rows were committed")
            elif "No files found" in msg or compaction_overlapped(before, swap_state()):
                failed[name] += 1
            else:
                errors.append(f"{name}: {msg[:300]}")
            continue
        reads[name] += 1
        if n != distinct:
            violations.append(f"{name}: {n} rows but {distinct} distinct event_ids (duplicates visible)")
        if n < floor:
            violations.append(f"{name}: {n} rows < {floor} committed before the read started (events missed)")
    time.sleep(0.01)

print(json.dumps({"reads": reads, "failed": failed, "violations": violations[:20], "errors": errors[:20]}))
