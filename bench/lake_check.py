#!/usr/bin/env python3
"""Compare lakes with DuckDB, normalizing the representation differences between Weir and the Python baselines.

    lake_check.py equal REF OTHER       same rows (multiset), exit 1 otherwise
    lake_check.py subset REF OTHER      OTHER has no duplicate event_id and every row of OTHER is in REF

Weir types `ts` as TIMESTAMP WITH TIME ZONE and keeps a JSON null `monto` as NULL; the baselines keep `ts` as
the original ISO string and write a null `monto` as 0.0 (the notebook's enrich). Rows are compared as
(event_id, ts as an instant, usuario_id, accion, coalesce(monto, 0), date). verify.py's own set comparison
compares the raw columns, so it reports every row as different between Weir and a baseline.
"""
import sys

import duckdb


def rel(d):
    return (f"(SELECT event_id, CAST(ts AS TIMESTAMPTZ) AS ts, usuario_id, accion, coalesce(monto, 0.0) AS monto, "
            f"CAST(date AS VARCHAR) AS date FROM read_parquet('{d}/**/*.parquet', hive_partitioning=true, "
            f"union_by_name=true, hive_types={{'date': VARCHAR}}))")


def main():
    mode, ref, other = sys.argv[1:4]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    n, nd = con.execute(f"SELECT count(*), count(DISTINCT event_id) FROM {rel(other)}").fetchone()
    extra = con.execute(f"SELECT count(*) FROM (SELECT * FROM {rel(other)} EXCEPT ALL SELECT * FROM {rel(ref)})").fetchone()[0]
    if mode == 'equal':
        missing = con.execute(f"SELECT count(*) FROM (SELECT * FROM {rel(ref)} EXCEPT ALL SELECT * FROM {rel(other)})").fetchone()[0]
        ok = extra == 0 and missing == 0 and n == nd
        print(f"{other} vs {ref}: {n} rows, {nd} distinct event_id, {extra} not in {ref}, {missing} missing: "
              f"{'OK' if ok else 'MISMATCH'}")
    else:
        ok = extra == 0 and n == nd
        print(f"{other}: {n} rows, {nd} distinct event_id, {extra} rows not in {ref}: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
