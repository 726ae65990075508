#!/usr/bin/env python3
"""Check an Iceberg table landed by `weir run` against the generator and against the plain Parquet lake of the
same events, with DuckDB's iceberg extension (the wheel pinned in requirements-test.txt, loaded offline).

    iceberg_check.py ICEBERG_OUT_DIR PARQUET_OUT_DIR --expected events.jsonl.expected.json [--table pi2.events]

Reads the table's current metadata file from the SQL catalog row in ICEBERG_OUT_DIR/_weir/checkpoint.sqlite, then
compares count(*), count(DISTINCT event_id), sum(monto) as DECIMAL(18,2) and rows per UTC day with the
generator's sidecar, and the rows (event_id, ts, usuario_id, accion, monto) with the Parquet lake's (EXCEPT ALL
both ways). Prints one JSON line, and `VERIFY OK` or `VERIFY FAILED`; exit status 1 on any mismatch.
"""
import argparse
import json
import os
import sqlite3
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "testdata", "oracles"))
import duckdb_extensions  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iceberg")
    ap.add_argument("parquet")
    ap.add_argument("--expected", required=True)
    ap.add_argument("--table", default="pi2.events")
    a = ap.parse_args()
    namespace, _, name = a.table.rpartition(".")
    location = sqlite3.connect(f"file:{a.iceberg}/_weir/checkpoint.sqlite?mode=ro", uri=True).execute(
        "SELECT metadata_location FROM iceberg_tables WHERE table_namespace = ? AND table_name = ?",
        (namespace, name)).fetchone()[0]
    con = duckdb_extensions.connect("iceberg")
    con.execute("SET TimeZone = 'UTC'")
    ice = f"iceberg_scan('{location}')"
    lake = (f"read_parquet('{a.parquet}/**/*.parquet', hive_partitioning=true, union_by_name=true, "
            f"hive_types={{'date': VARCHAR}})")
    count, distinct, total = con.execute(
        f"SELECT count(*), count(DISTINCT event_id), sum(monto::DECIMAL(18,2)) FROM {ice}").fetchone()
    per_date = dict(con.execute(f"SELECT strftime(ts, '%Y-%m-%d'), count(*) FROM {ice} GROUP BY 1 ORDER BY 1").fetchall())
    snapshots, files = con.execute(
        f"SELECT (SELECT count(*) FROM iceberg_snapshots('{location}')), (SELECT count(*) FROM iceberg_metadata('{location}'))"
    ).fetchone()
    cols = "event_id, ts, usuario_id, accion, monto"
    only_ice, only_lake = (con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {x} EXCEPT ALL SELECT {cols} FROM {y})").fetchone()[0]
                           for x, y in ((ice, lake), (lake, ice)))
    exp = json.load(open(a.expected))
    checks = [("count", count, exp["expected_valid_unique"]), ("distinct", distinct, exp["expected_valid_unique"]),
              ("sum_monto", Decimal(str(total)), Decimal(exp["expected_sum_monto"])),
              ("per_date", per_date, exp["expected_per_date"]), ("rows only in the table", only_ice, 0),
              ("rows only in the Parquet lake", only_lake, 0)]
    print(json.dumps({"metadata": location, "count": count, "distinct": distinct, "sum_monto": str(total),
                      "snapshots": snapshots, "data_files": files}))
    ok = True
    for what, got, want in checks:
        if got != want:
            print(f"MISMATCH {what}: got {got} want {want}")
            ok = False
    print("VERIFY", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
