#!/usr/bin/env python3
"""Lake oracle for Tests/PipelineTests (DuckDB and pyarrow, independent of Weir's Parquet reader).

  lake_query.py rows DIR     -> JSON list of rows of read_parquet('DIR/**/*.parquet', hive_partitioning=1);
                                timestamps as integer microseconds since the epoch, dates as YYYY-MM-DD
  lake_query.py schemas DIR  -> JSON object {relative file path: pyarrow schema text (no metadata)}
"""
import datetime, glob, json, os, sys


def jsonable(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        delta = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def rows(root):
    import duckdb
    files = glob.glob(os.path.join(root, "**", "*.parquet"), recursive=True)
    if not files:
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    pattern = os.path.join(root, "**", "*.parquet").replace("'", "''")
    cur = con.execute(f"SELECT * FROM read_parquet('{pattern}', hive_partitioning=1)")
    names = [d[0] for d in cur.description]
    return [{n: jsonable(v) for n, v in zip(names, r)} for r in cur.fetchall()]


def schemas(root):
    import pyarrow.parquet as pq
    out = {}
    for f in sorted(glob.glob(os.path.join(root, "**", "*.parquet"), recursive=True)):
        out[os.path.relpath(f, root)] = pq.read_schema(f).remove_metadata().to_string(show_schema_metadata=False)
    return out


if __name__ == "__main__":
    cmd, root = sys.argv[1], sys.argv[2]
    result = rows(root) if cmd == "rows" else schemas(root)
    json.dump(result, sys.stdout, default=str)
