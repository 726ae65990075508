"""What the Iceberg oracles (iceberg_read.py, iceberg_maintenance_read.py, iceberg_duckdb.py) share: where Weir's
SQL catalog lives, opening it with pyiceberg, and turning values into JSON the Swift tests compare."""
import datetime


def store_path(out_dir):
    """The SQLite checkpoint store of a local lake, which holds the JDBC catalog table iceberg_tables."""
    return f"{out_dir}/_weir/checkpoint.sqlite"


def open_sql_catalog(out_dir, name="weir", catalog_db=None, catalog_uri=None, **props):
    """pyiceberg's SqlCatalog on Weir's catalog: the SQLAlchemy URL catalog_uri when given (e.g. a PostgreSQL store),
    else the SQLite file catalog_db (by default the lake's store); the warehouse is out_dir (local or s3://)."""
    warehouse = out_dir if out_dir.startswith("s3://") else f"file://{out_dir}"
    from pyiceberg.catalog.sql import SqlCatalog  # here, so that iceberg_duckdb.py (no pyiceberg) does not load it
    return SqlCatalog(name, uri=catalog_uri or f"sqlite:///{catalog_db or store_path(out_dir)}", warehouse=warehouse, **props)


def manifests_and_entries(table):
    """Every manifest path the table's snapshots name (a set) and the entries of those manifests, each manifest read
    once, DELETED entries included."""
    manifests, entries = set(), []
    for snapshot in table.metadata.snapshots:
        for manifest in snapshot.manifests(table.io):
            if manifest.manifest_path not in manifests:
                manifests.add(manifest.manifest_path)
                entries.extend(manifest.fetch_manifest_entry(table.io, discard_deleted=False))
    return manifests, entries


def added_twice(entries):
    """The data file paths that more than one ADDED entry adds, sorted."""
    from pyiceberg.manifest import ManifestEntryStatus
    added = {}
    for e in entries:
        if e.status == ManifestEntryStatus.ADDED:
            added[e.data_file.file_path] = added.get(e.data_file.file_path, 0) + 1
    return sorted(p for p, n in added.items() if n > 1)


def plain(v):
    """A JSON-ready value: timestamps as microseconds since the epoch, dates as ISO strings, containers recursively."""
    if isinstance(v, datetime.datetime):
        delta = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v
