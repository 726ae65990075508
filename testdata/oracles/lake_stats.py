#!/usr/bin/env python3
"""Test oracle: summarize a Weir lake with DuckDB and pyarrow.

    lake_stats.py OUT_DIR [--id-column event_id] [--sum-column monto]

Prints one JSON object: rows, distinct ids, sum of the sum column (as a decimal string with 2 places),
rows per Hive date partition, the number of Parquet files, and the files pyarrow cannot read.
"""
import argparse
import glob
import json
import os

import duckdb
import pyarrow.parquet as pq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lake")
    ap.add_argument("--id-column", default="event_id")
    ap.add_argument("--sum-column", default="monto")
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.lake, "**", "*.parquet"), recursive=True))
    unreadable = []
    for f in files:
        try:
            pq.read_table(f)
        except Exception as e:  # noqa: BLE001 - any failure is reported
            unreadable.append({"file": f, "error": str(e)[:200]})
    out = {"files": len(files), "unreadable": unreadable}
    if files:
        rel = f"read_parquet('{a.lake}/**/*.parquet', hive_partitioning=1, hive_types={{'date': VARCHAR}})"
        con = duckdb.connect()
        rows, distinct, total = con.execute(
            f"SELECT count(*), count(DISTINCT {a.id_column}), sum({a.sum_column}::DECIMAL(18,2)) FROM {rel}").fetchone()
        out.update(rows=rows, distinct=distinct, sum=str(total if total is not None else "0.00"),
                   per_date=dict(con.execute(f"SELECT date, count(*) FROM {rel} GROUP BY 1 ORDER BY 1").fetchall()))
    else:
        out.update(rows=0, distinct=0, sum="0.00", per_date={})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
