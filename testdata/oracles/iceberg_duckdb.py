#!/usr/bin/env python3
"""Iceberg oracle: reads a Weir Iceberg table with DuckDB's iceberg extension (iceberg_scan), independently of
pyiceberg.

  iceberg_duckdb.py OUT_DIR NAMESPACE.TABLE [CATALOG_NAME]  -> JSON on stdout:
    metadata_location: the catalog row's metadata_location (read with sqlite3 from the JDBC catalog table
                       iceberg_tables in OUT_DIR/_weir/checkpoint.sqlite)
    types: {column: DuckDB type} of iceberg_scan's result (e.g. TIMESTAMP WITH TIME ZONE, VARCHAR, BIGINT)
    rows: every row of the current snapshot, sorted by event_id when there is one (else by the first column);
          timestamps as microseconds since the epoch
    snapshots: [{id, sequence_number}] from iceberg_snapshots, oldest first
    previous_rows: rows of the snapshot before the current one (iceberg_scan with snapshot_from_id), null with one
    files: [{path, record_count}] of the current snapshot's data files (iceberg_metadata, entries not DELETED)

DuckDB, the avro and iceberg extensions come from the wheels pinned in requirements-test.txt, loaded offline.
"""
import json
import sqlite3
import sys

import duckdb_extensions
from iceberg_catalog import plain, store_path


def main():
    out_dir, identifier = sys.argv[1], sys.argv[2]
    catalog = sys.argv[3] if len(sys.argv) > 3 else "weir"
    namespace, _, name = identifier.rpartition(".")
    db = sqlite3.connect(f"file:{store_path(out_dir)}?mode=ro", uri=True)
    row = db.execute("SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? "
                     "AND table_name = ?", (catalog, namespace, name)).fetchone()
    if row is None:
        raise SystemExit(f"iceberg_duckdb: no catalog row for {catalog}.{identifier} in {store_path(out_dir)}")
    location = row[0]
    con = duckdb_extensions.connect("iceberg")
    types = {c: t for c, t, *_ in con.execute("DESCRIBE SELECT * FROM iceberg_scan(?)", [location]).fetchall()}
    columns = list(types)
    # Timestamps leave DuckDB as epoch microseconds (SQL), the unit the other oracles use.
    select = ", ".join(f'epoch_us("{c}") AS "{c}"' if t.startswith("TIMESTAMP") else f'"{c}"' for c, t in types.items())
    key = "event_id" if "event_id" in columns else columns[0]
    rows = sorted(({c: plain(v) for c, v in zip(columns, r)}
                   for r in con.execute(f"SELECT {select} FROM iceberg_scan(?)", [location]).fetchall()), key=lambda r: str(r[key]))
    snapshots = [{"id": s, "sequence_number": n} for n, s in con.execute(
        "SELECT sequence_number, snapshot_id FROM iceberg_snapshots(?) ORDER BY sequence_number", [location]).fetchall()]
    previous = None
    if len(snapshots) > 1:
        previous = con.execute(f"SELECT count(*) FROM iceberg_scan(?, snapshot_from_id => {int(snapshots[-2]['id'])})",
                               [location]).fetchone()[0]
    files = [{"path": p, "record_count": n} for p, n in con.execute(
        "SELECT file_path, record_count FROM iceberg_metadata(?) WHERE manifest_content = 'DATA' "
        "AND 'DELETED' NOT IN (status, content) ORDER BY file_path", [location]).fetchall()]
    print(json.dumps({"metadata_location": location, "types": types, "rows": rows, "snapshots": snapshots,
                      "previous_rows": previous, "files": files}))


main()
