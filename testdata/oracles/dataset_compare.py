#!/usr/bin/env python3
"""Test oracle: compare a Weir lake with the source dataset it was loaded from.

    dataset_compare.py rees46 SOURCE.csv LAKE
    dataset_compare.py wikimedia SOURCE.ndjson LAKE

Prints {"source": {...}, "lake": {...}}: the same aggregates computed from the raw file (with DuckDB's own
CSV/JSON readers, exact duplicate rows removed where the dataset has no id) and from the lake's Parquet files.
"""
import json
import sys

import duckdb


def rees46(con, source, lake):
    src = (f"(SELECT DISTINCT * FROM read_csv('{source}', header=true, all_varchar=true))")
    q_src = f"""SELECT count(*), sum(price::DECIMAL(18,2)), count(DISTINCT user_id), count(DISTINCT product_id),
                       sum(category_id::HUGEINT), count(*) FILTER (WHERE event_type = 'cart'),
                       count(*) FILTER (WHERE brand IS NULL OR brand = ''), max(category_id::BIGINT),
                       min(event_time), max(event_time)
                FROM {src}"""
    lk = f"read_parquet('{lake}/**/*.parquet', hive_partitioning=1, hive_types={{'date': VARCHAR}})"
    q_lake = f"""SELECT count(*), sum(price::DECIMAL(18,2)), count(DISTINCT user_id), count(DISTINCT product_id),
                        sum(category_id::HUGEINT), count(*) FILTER (WHERE event_type = 'cart'),
                        count(*) FILTER (WHERE brand IS NULL), max(category_id),
                        strftime(min(event_time), '%Y-%m-%d %H:%M:%S UTC'), strftime(max(event_time), '%Y-%m-%d %H:%M:%S UTC')
                 FROM {lk}"""
    keys = ["rows", "sum_price", "distinct_users", "distinct_products", "sum_category_id", "cart_events",
            "null_brand", "max_category_id", "min_time", "max_time"]
    return (dict(zip(keys, map(str, con.execute(q_src).fetchone()))),
            dict(zip(keys, map(str, con.execute(q_lake).fetchone()))))


def wikimedia(con, source, lake):
    q_src = f"""SELECT count(*), count(DISTINCT meta.id), sum(id), sum(length.new), count(*) FILTER (WHERE bot),
                       min(meta.dt), max(meta.dt), sum(meta."offset")
                FROM read_json('{source}', format='newline_delimited', columns={{
                    'meta': 'STRUCT(id VARCHAR, dt VARCHAR, "offset" BIGINT)', 'id': 'BIGINT',
                    'length': 'STRUCT(old BIGINT, new BIGINT)', 'bot': 'BOOLEAN'}})"""
    lk = f"read_parquet('{lake}/**/*.parquet', hive_partitioning=1, hive_types={{'date': VARCHAR}})"
    q_lake = f"""SELECT count(*), count(DISTINCT meta->>'id'), sum(id), sum((length->>'new')::BIGINT), count(*) FILTER (WHERE bot),
                        strftime(min("timestamp"), '%Y-%m-%dT%H:%M:%SZ'), strftime(max("timestamp"), '%Y-%m-%dT%H:%M:%SZ'),
                        sum((meta->>'offset')::BIGINT)
                 FROM {lk}"""
    keys = ["rows", "distinct_ids", "sum_rcid", "sum_length_new", "bots", "min_dt", "max_dt", "sum_meta_offset"]
    return (dict(zip(keys, map(str, con.execute(q_src).fetchone()))),
            dict(zip(keys, map(str, con.execute(q_lake).fetchone()))))


def main():
    kind, source, lake = sys.argv[1:4]
    con = duckdb.connect()
    src, lk = {"rees46": rees46, "wikimedia": wikimedia}[kind](con, source, lake)
    print(json.dumps({"source": src, "lake": lk}))


if __name__ == "__main__":
    main()
