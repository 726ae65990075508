#!/usr/bin/env python3
"""Iceberg oracle: reads a Weir Iceberg table through pyiceberg's SqlCatalog on Weir's checkpoint database.

  iceberg_read.py OUT_DIR NAMESPACE.TABLE [CATALOG_NAME] [--catalog-db PATH] [--s3-endpoint URL --credential KEY:SECRET]
                  [--catalog-uri URL] [--rest-uri URL --rest-warehouse NAME]  -> JSON on stdout:

  OUT_DIR is the warehouse: a local directory or s3://bucket/prefix (then --s3-endpoint and --credential, an access
  key and its secret, reach it through pyiceberg's FileIO). --catalog-db names the SQLite
  store file when it is not OUT_DIR/_weir/checkpoint.sqlite; --catalog-uri gives the catalog database as a
  SQLAlchemy URL instead, e.g. postgresql+pg8000://user:password@host:port/database (a PostgreSQL store). --rest-uri reads the table through pyiceberg's
  RestCatalog instead (OAuth2 client credentials: the same --credential).

    schema: [{id, name, type, required}]          (pyiceberg's view of the table schema)
    spec: [{name, transform, source_id, field_id}]
    snapshots: [{id, parent, sequence_number, summary}]   (oldest first)
    rows: every row of the current snapshot, sorted by the first column; timestamps as microseconds since the epoch
    previous_rows: row count of the snapshot before the current one (time travel), null with one snapshot
    files: [{path, partition (human strings, e.g. 2025-11-01), record_count, value_counts, null_value_counts, lower, upper}] of the current snapshot,
           bounds decoded by pyiceberg (timestamps as microseconds)
    added_twice: data file paths added by more than one manifest entry across all snapshots
    manifest_lists: the manifest list of every snapshot; manifests: every manifest they name (each once)
    metadata_files: the current metadata file and those its metadata log keeps
    parquet_field_ids: {column: field id} read by pyarrow from the first data file
    (DuckDB's view of the same table: iceberg_duckdb.py)
"""
import argparse, json
import pyarrow.parquet as pq
from iceberg_catalog import added_twice, manifests_and_entries, open_sql_catalog, plain


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("identifier")
    parser.add_argument("catalog_name", nargs="?", default="weir")
    parser.add_argument("--catalog-db")
    parser.add_argument("--catalog-uri")
    parser.add_argument("--s3-endpoint")
    parser.add_argument("--rest-uri")
    parser.add_argument("--rest-warehouse")
    parser.add_argument("--credential", default=":")
    args = parser.parse_args()
    out_dir, identifier, name = args.out_dir, args.identifier, args.catalog_name
    props = {}
    key, _, secret = args.credential.partition(":")
    if args.s3_endpoint:
        props = {"s3.endpoint": args.s3_endpoint, "s3.access-key-id": key, "s3.secret-access-key": secret, "s3.region": "us-east-1"}
    if args.rest_uri:
        from pyiceberg.catalog.rest import RestCatalog
        catalog = RestCatalog(name, uri=args.rest_uri, warehouse=args.rest_warehouse, credential=args.credential, **props)
    else:
        catalog = open_sql_catalog(out_dir, name, catalog_db=args.catalog_db, catalog_uri=args.catalog_uri, **props)
    table = catalog.load_table(identifier)
    meta = table.metadata
    schema = [{"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required} for f in table.schema().fields]
    spec = [{"name": f.name, "transform": str(f.transform), "source_id": f.source_id, "field_id": f.field_id}
            for f in table.spec().fields]
    snapshots = [{"id": s.snapshot_id, "parent": s.parent_snapshot_id, "sequence_number": s.sequence_number,
                  "summary": {k: v for k, v in s.summary.additional_properties.items()} | {"operation": str(s.summary.operation.value)}}
                 for s in meta.snapshots]
    arrow = table.scan().to_arrow()
    first = arrow.schema.names[0]
    rows = sorted((plain(r) for r in arrow.to_pylist()), key=lambda r: str(r[first]))
    previous = None
    if len(meta.snapshots) > 1:
        previous = table.scan(snapshot_id=meta.snapshots[-2].snapshot_id).to_arrow().num_rows
    files = []
    manifests, entries = manifests_and_entries(table)
    id_to_field = {f.field_id: f for f in table.schema().fields}
    from pyiceberg.conversions import from_bytes
    spec_fields = table.spec().fields
    for task in table.scan().plan_files():
        df = task.file
        human = [f.transform.to_human_string(id_to_field[f.source_id].field_type, v) for f, v in zip(spec_fields, list(df.partition))]
        files.append({"path": df.file_path, "partition": human, "record_count": df.record_count,
                      "value_counts": {str(k): v for k, v in (df.value_counts or {}).items()},
                      "null_value_counts": {str(k): v for k, v in (df.null_value_counts or {}).items()},
                      "lower": {str(k): plain(from_bytes(id_to_field[k].field_type, v)) for k, v in (df.lower_bounds or {}).items()},
                      "upper": {str(k): plain(from_bytes(id_to_field[k].field_type, v)) for k, v in (df.upper_bounds or {}).items()}})
    field_ids = {}
    if files:
        with table.io.new_input(files[0]["path"]).open() as stream:
            parquet_schema = pq.read_schema(stream)
        for f in parquet_schema:
            field_ids[f.name] = int((f.metadata or {}).get(b"PARQUET:field_id", b"-1"))
    print(json.dumps({"schema": schema, "spec": spec, "snapshots": snapshots, "rows": rows, "previous_rows": previous,
                      "files": files, "added_twice": added_twice(entries),
                      "manifest_lists": [s.manifest_list for s in meta.snapshots], "manifests": sorted(manifests),
                      "metadata_files": [table.metadata_location] + [e.metadata_file for e in meta.metadata_log],
                      "parquet_field_ids": field_ids}))


main()
