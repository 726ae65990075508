#!/usr/bin/env python3
"""Test oracle: open a Weir lake root the way users do, with each reader's default options.

    lake_root_readers.py LAKE

Prints one JSON object, one entry per reader: {"rows": N, "dates": [...]} when it read the lake, or
{"error": "..."} when it failed. Readers: pyarrow.parquet.read_table(LAKE), pandas.read_parquet(LAKE),
pyarrow.dataset.dataset(LAKE, partitioning="hive") (the Hive/Spark conventions: `_` and `.` entries are skipped),
DuckDB read_parquet('LAKE/**/*.parquet', hive_partitioning=1) and Polars' glob form
pl.read_parquet('LAKE/**/*.parquet', hive_partitioning=True).
"""
import json
import sys

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq

lake = sys.argv[1]


def dates_of(values):
    return sorted({str(v) for v in values})


def pyarrow_read_table():
    t = pq.read_table(lake)
    return t.num_rows, dates_of(t.column("date").to_pylist())


def pandas_read_parquet():
    df = pd.read_parquet(lake)
    return len(df), dates_of(df["date"].tolist())


def pyarrow_dataset_hive():
    t = ds.dataset(lake, format="parquet", partitioning="hive").to_table()
    return t.num_rows, dates_of(t.column("date").to_pylist())


def duckdb_glob():
    rows = duckdb.connect().execute(
        f"SELECT date FROM read_parquet('{lake}/**/*.parquet', hive_partitioning=1)").fetchall()
    return len(rows), dates_of(r[0] for r in rows)


def polars_glob():
    df = pl.read_parquet(f"{lake}/**/*.parquet", hive_partitioning=True)
    return df.height, dates_of(df["date"].to_list())


out = {}
for name, read in [("pyarrow.parquet.read_table", pyarrow_read_table), ("pandas.read_parquet", pandas_read_parquet),
                   ("pyarrow.dataset(hive)", pyarrow_dataset_hive), ("duckdb read_parquet glob", duckdb_glob),
                   ("polars read_parquet glob", polars_glob)]:
    try:
        rows, dates = read()
        out[name] = {"rows": rows, "dates": dates}
    except Exception as e:  # noqa: BLE001 - every failure is reported
        out[name] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
print(json.dumps(out))
