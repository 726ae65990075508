#!/usr/bin/env python3
"""Iceberg maintenance oracle: what pyiceberg (SqlCatalog on Weir's checkpoint database) sees of a table.

  iceberg_maintenance_read.py OUT_DIR NAMESPACE.TABLE  -> JSON on stdout:
    event_ids: the event_id of every row of the current snapshot, sorted (duplicates kept)
    snapshots: [{id, operation, rows}] oldest first; rows = row count read by time travel to that snapshot
               (null when the snapshot cannot be read, e.g. a file it needs was deleted)
    current_manifests: how many manifests the current snapshot's manifest list names
    current_files: [{path, record_count, partition, value_counts, lower, upper}] of the current snapshot
    added_twice: data file paths with more than one ADDED entry across every snapshot's manifests
    referenced: every manifest list, manifest and live data file path the table's snapshots reference,
                plus the metadata files (current and metadata log)
"""
import json, sys
from pyiceberg.conversions import from_bytes
from pyiceberg.manifest import ManifestEntryStatus

from iceberg_catalog import added_twice, manifests_and_entries, open_sql_catalog, plain


def main():
    out_dir, identifier = sys.argv[1], sys.argv[2]
    table = open_sql_catalog(out_dir).load_table(identifier)
    meta = table.metadata
    ids = sorted(table.scan(selected_fields=("event_id",)).to_arrow().column("event_id").to_pylist())
    snapshots = []
    for s in meta.snapshots:
        try:
            rows = table.scan(snapshot_id=s.snapshot_id).to_arrow().num_rows
        except Exception:
            rows = None
        snapshots.append({"id": s.snapshot_id, "operation": str(s.summary.operation.value), "rows": rows})
    current = table.current_snapshot()
    id_to_field = {f.field_id: f for f in table.schema().fields}
    files = []
    for task in table.scan().plan_files():
        df = task.file
        files.append({"path": df.file_path, "record_count": df.record_count, "partition": [plain(v) for v in df.partition],
                      "value_counts": {str(k): v for k, v in (df.value_counts or {}).items()},
                      "lower": {str(k): plain(from_bytes(id_to_field[k].field_type, v)) for k, v in (df.lower_bounds or {}).items()},
                      "upper": {str(k): plain(from_bytes(id_to_field[k].field_type, v)) for k, v in (df.upper_bounds or {}).items()}})
    manifests, entries = manifests_and_entries(table)
    referenced = manifests | {s.manifest_list for s in meta.snapshots}
    referenced.update(e.data_file.file_path for e in entries if e.status != ManifestEntryStatus.DELETED)
    referenced.add(table.metadata_location)
    referenced.update(e.metadata_file for e in meta.metadata_log)
    print(json.dumps({"event_ids": ids, "snapshots": snapshots,
                      "current_manifests": len(current.manifests(table.io)) if current else 0,
                      "current_files": files, "added_twice": added_twice(entries),
                      "referenced": sorted(referenced)}))


main()
