#!/usr/bin/env python3
"""Query a lake with DuckDB for Tests/WeirCLITests/Maintenance*.

  maint_lake_query.py LAKE SQL   -> JSON list of rows; in SQL, `lake` is read_parquet('LAKE/**/*.parquet', hive_partitioning=1)
"""
import json, sys
import duckdb

lake, sql = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"create view lake as select * from read_parquet('{lake}/**/*.parquet', hive_partitioning=1)")
print(json.dumps([list(r) for r in con.execute(sql).fetchall()], default=str))
