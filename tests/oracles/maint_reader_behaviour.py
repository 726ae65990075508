#!/usr/bin/env python3
"""How glob readers treat symlinked, dot-prefixed and underscore-prefixed directories (docs/COMPACTION.md).

  maint_reader_behaviour.py DIR   -> JSON: which partitions DuckDB's `**/*.parquet`, DuckDB's `*/*.parquet` and
                                     pyarrow.dataset(partitioning='hive') see in a lake built under DIR with
                                     date=A (real dir), date=B -> .date=B.v1 (symlink to a dot dir), _hidden/x.parquet.
"""
import json, os, shutil, sys
import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

root = sys.argv[1]
shutil.rmtree(root, ignore_errors=True)
os.makedirs(root + "/date=A")
pq.write_table(pa.table({"id": [1]}), root + "/date=A/a.parquet")
os.makedirs(root + "/.date=B.v1")
pq.write_table(pa.table({"id": [2]}), root + "/.date=B.v1/b.parquet")
os.symlink(".date=B.v1", root + "/date=B")
os.makedirs(root + "/_hidden")
pq.write_table(pa.table({"id": [3]}), root + "/_hidden/h.parquet")
con = duckdb.connect()
rel = lambda rows: sorted(os.path.relpath(r[0], root) for r in rows)
out = {
    "duckdb_version": duckdb.__version__,
    "pyarrow_version": pa.__version__,
    "duckdb_recursive": rel(con.execute(f"select * from glob('{root}/**/*.parquet')").fetchall()),
    "duckdb_one_level": rel(con.execute(f"select * from glob('{root}/*/*.parquet')").fetchall()),
    "pyarrow": sorted(os.path.relpath(f, root) for f in ds.dataset(root, format="parquet", partitioning="hive").files),
}
print(json.dumps(out))
