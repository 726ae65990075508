#!/usr/bin/env python3
"""How glob readers treat symlinked, dot-prefixed and underscore-prefixed directories (docs/COMPACTION.md).

  maint_reader_behaviour.py DIR   -> JSON: which partitions DuckDB's `**/*.parquet`, DuckDB's `*/*.parquet` and
                                     pyarrow.dataset(partitioning='hive') see in a lake built under DIR with
                                     date=A (real dir), date=B -> .date=B.v1 (symlink to a dot dir), _hidden/x.parquet;
                                     and, in a second lake, what they do with a listed name whose stat fails (a
                                     dangling symlink stands for a file removed between readdir and stat) and with a
                                     compaction placeholder (a text file named *.parquet).
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

# Second lake: date=A/a.parquet (1 row), date=A/gone.parquet -> nowhere (listed by readdir, stat fails ENOENT).
vanish = root + "-vanish"
shutil.rmtree(vanish, ignore_errors=True)
os.makedirs(vanish + "/date=A")
pq.write_table(pa.table({"id": [1]}), vanish + "/date=A/a.parquet")
os.symlink("nowhere.parquet", vanish + "/date=A/gone.parquet")
out["duckdb_rows_with_vanished_name"] = con.execute(
    f"select count(*) from read_parquet('{vanish}/**/*.parquet', hive_partitioning=1)").fetchone()[0]
out["pyarrow_files_with_vanished_name"] = sorted(
    os.path.relpath(f, vanish) for f in ds.dataset(vanish, format="parquet", partitioning="hive").files)
# Replace the vanished name by a placeholder: both readers must now fail, naming the file.
os.remove(vanish + "/date=A/gone.parquet")
with open(vanish + "/date=A/gone.parquet", "w") as f:
    f.write("WEIR COMPACTION PLACEHOLDER\nmerged into another file\n")
def error_of(fn):
    try:
        fn()
        return None
    except Exception as e:
        return str(e)
out["duckdb_placeholder_error"] = error_of(lambda: con.execute(
    f"select count(*) from read_parquet('{vanish}/**/*.parquet', hive_partitioning=1)").fetchone())
out["pyarrow_placeholder_error"] = error_of(
    lambda: ds.dataset(vanish, format="parquet", partitioning="hive").to_table())
shutil.rmtree(vanish, ignore_errors=True)
print(json.dumps(out))
