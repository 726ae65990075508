#!/usr/bin/env python3
"""Test oracle: what DuckDB and pyarrow do with an S3 object that was listed and then deleted before the read.

    s3_deleted_object_read.py s3://BUCKET/PREFIX --endpoint http://127.0.0.1:PORT

Compaction on object storage (docs/COMPACTION.md, "placeholders first") assumes that a reader which listed an
object and then finds it gone (HTTP 404) fails loudly instead of silently dropping the object's rows. This lists
`PREFIX` as a Hive dataset through pyarrow.fs.S3FileSystem (credentials from AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY), deletes the first listed Parquet object, then reads the dataset it listed with pyarrow
(`Dataset.to_table`), with DuckDB over that dataset, with `pyarrow.parquet.read_table` over the listed paths, and
with DuckDB's httpfs extension reading the listed `s3://` URLs itself.
Prints JSON: the deleted object, the rows the listing held, and per reader either {"error": "..."} or {"rows": N}.
"""
import argparse
import json
import os
from urllib.parse import urlparse

import duckdb
import duckdb_extensions
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq


def attempt(read):
    try:
        return {"rows": read()}
    except Exception as e:  # noqa: BLE001 - the failure is the result
        return {"error": f"{type(e).__name__}: {str(e)[:300]}"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lake")
    ap.add_argument("--endpoint", required=True)
    a = ap.parse_args()
    url = urlparse(a.lake)
    base = (url.netloc + url.path).rstrip("/")
    endpoint = urlparse(a.endpoint)
    fs = pafs.S3FileSystem(access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                           endpoint_override=endpoint.netloc, scheme=endpoint.scheme, region="us-east-1",
                           allow_bucket_creation=False)
    dataset = ds.dataset(base, filesystem=fs, format="parquet", partitioning="hive")
    files = sorted(dataset.files)
    listed_rows = dataset.count_rows()
    victim = files[0]
    fs.delete_file(victim)
    con = duckdb.connect()
    con.register("lake", dataset)
    httpfs = duckdb_extensions.connect("httpfs")
    duckdb_extensions.s3_secret(httpfs, f"{endpoint.scheme}://{endpoint.netloc}")
    urls = ["s3://" + f for f in files]
    out = {"deleted": victim, "listed_files": len(files), "listed_rows": listed_rows,
           "pyarrow_dataset": attempt(lambda: dataset.to_table().num_rows),
           "duckdb_over_dataset": attempt(lambda: con.execute("SELECT count(*) FROM lake").fetchone()[0]),
           "pyarrow_read_table": attempt(lambda: pq.read_table(files, filesystem=fs).num_rows),
           "duckdb_httpfs": attempt(lambda: httpfs.execute("SELECT count(*) FROM read_parquet(?)", [urls]).fetchone()[0])}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
