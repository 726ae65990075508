#!/usr/bin/env python3
"""Test oracle: summarize a Weir lake in S3-compatible object storage with pyarrow and DuckDB.

    s3_lake_stats.py s3://BUCKET/PREFIX --endpoint http://127.0.0.1:PORT [--id-column event_id] [--sum-column monto]

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Two independent readers:
- pyarrow.fs.S3FileSystem lists the objects matching `PREFIX/**/*.parquet` and reads each one (DuckDB then
  runs the queries over the Arrow data). Its results are the top-level keys, the same JSON object as
  lake_stats.py: rows, distinct ids, the sum (decimal string, 2 places), rows per Hive date partition, the number
  of Parquet files, and the files pyarrow cannot read.
- DuckDB's httpfs extension (the `duckdb-extension-httpfs` wheel, loaded offline) globs and reads
  `s3://BUCKET/PREFIX/**/*.parquet` with hive_partitioning itself: key `duckdb`, {files, rows, distinct, sum,
  per_date}.
"""
import argparse
import json
import os
from urllib.parse import urlparse

import duckdb
import duckdb_extensions
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lake")
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--id-column", default="event_id")
    ap.add_argument("--sum-column", default="monto")
    a = ap.parse_args()
    url = urlparse(a.lake)
    base = (url.netloc + url.path).rstrip("/")
    endpoint = urlparse(a.endpoint)
    fs = pafs.S3FileSystem(access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                           endpoint_override=endpoint.netloc, scheme=endpoint.scheme, region="us-east-1",
                           allow_bucket_creation=False)
    infos = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
    files = sorted(i.path for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet"))
    unreadable, tables = [], []
    for f in files:
        try:
            t = pq.read_table(f, filesystem=fs)
            date = next((p[5:] for p in f[len(base):].split("/") if p.startswith("date=")), None)
            tables.append(t.append_column("date", pa.array([date] * t.num_rows, pa.string())))
        except Exception as e:  # noqa: BLE001 - any failure is reported
            unreadable.append({"file": f, "error": str(e)[:200]})
    out = {"files": len(files), "unreadable": unreadable}
    if tables:
        lake = pa.concat_tables(tables, promote_options="permissive")
        con = duckdb.connect()
        con.register("lake", lake)
        rows, distinct, total = con.execute(
            f"SELECT count(*), count(DISTINCT {a.id_column}), sum({a.sum_column}::DECIMAL(18,2)) FROM lake").fetchone()
        out.update(rows=rows, distinct=distinct, sum=str(total if total is not None else "0.00"),
                   per_date=dict(con.execute("SELECT date, count(*) FROM lake GROUP BY 1 ORDER BY 1").fetchall()))
    else:
        out.update(rows=0, distinct=0, sum="0.00", per_date={})
    out["duckdb"] = duckdb_httpfs(a, endpoint)
    print(json.dumps(out))


def duckdb_httpfs(a, endpoint):
    """The same numbers as DuckDB's httpfs reads them straight from the object store."""
    con = duckdb_extensions.connect("httpfs")
    duckdb_extensions.s3_secret(con, f"{endpoint.scheme}://{endpoint.netloc}")
    pattern = a.lake.rstrip("/") + "/**/*.parquet"
    files = con.execute("SELECT count(*) FROM glob(?)", [pattern]).fetchone()[0]
    if files == 0:
        return {"files": 0, "rows": 0, "distinct": 0, "sum": "0.00", "per_date": {}}
    rel = f"read_parquet('{pattern}', hive_partitioning=true, hive_types={{'date': VARCHAR}}, union_by_name=true)"
    rows, distinct, total = con.execute(
        f"SELECT count(*), count(DISTINCT {a.id_column}), sum({a.sum_column}::DECIMAL(18,2)) FROM {rel}").fetchone()
    return {"files": files, "rows": rows, "distinct": distinct, "sum": str(total if total is not None else "0.00"),
            "per_date": dict(con.execute(f"SELECT date, count(*) FROM {rel} GROUP BY 1 ORDER BY 1").fetchall())}


if __name__ == "__main__":
    main()
