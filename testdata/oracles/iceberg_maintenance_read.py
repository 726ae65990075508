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
import datetime, json, sys
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.conversions import from_bytes
from pyiceberg.manifest import ManifestEntryStatus


def plain(v):
    if isinstance(v, datetime.datetime):
        delta = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def main():
    out_dir, identifier = sys.argv[1], sys.argv[2]
    catalog = SqlCatalog("weir", uri=f"sqlite:///{out_dir}/_weir/checkpoint.sqlite", warehouse=f"file://{out_dir}")
    table = catalog.load_table(identifier)
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
    added, referenced, seen = {}, set(), set()
    for s in meta.snapshots:
        referenced.add(s.manifest_list)
        for m in s.manifests(table.io):
            referenced.add(m.manifest_path)
            if m.manifest_path in seen:
                continue
            seen.add(m.manifest_path)
            for e in m.fetch_manifest_entry(table.io, discard_deleted=False):
                if e.status == ManifestEntryStatus.ADDED:
                    added[e.data_file.file_path] = added.get(e.data_file.file_path, 0) + 1
                if e.status != ManifestEntryStatus.DELETED:
                    referenced.add(e.data_file.file_path)
    referenced.add(table.metadata_location)
    referenced.update(e.metadata_file for e in meta.metadata_log)
    print(json.dumps({"event_ids": ids, "snapshots": snapshots,
                      "current_manifests": len(current.manifests(table.io)) if current else 0,
                      "current_files": files, "added_twice": sorted(p for p, n in added.items() if n > 1),
                      "referenced": sorted(referenced)}))


main()
