"""DuckDB connections with the httpfs, avro and iceberg extensions loaded from their PyPI wheels, offline.

requirements-test.txt pins `duckdb` and the `duckdb-extension-*` packages to one version; each wheel ships
`<package>/extensions/v<version>/<name>.duckdb_extension`, built and signed for exactly that DuckDB. Loading by
path and switching off auto-install means a query never downloads anything: a missing or mismatched extension
fails loudly here instead of reaching for the network.
"""
import importlib
import os

import duckdb

# iceberg reads manifests through the avro extension, so avro is loaded first.
KNOWN = ("httpfs", "avro", "iceberg")


def extension_path(name):
    """The `.duckdb_extension` file the `duckdb-extension-<name>` wheel installed for this DuckDB version."""
    try:
        package = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError as e:
        raise SystemExit(f"duckdb_extensions: the package duckdb-extension-{name} is not installed "
                         f"(fix: run scripts/setup, which installs requirements-test.txt): {e}")
    base = os.path.join(os.path.dirname(package.__file__), "extensions")
    path = os.path.join(base, f"v{duckdb.__version__}", f"{name}.duckdb_extension")
    if not os.path.isfile(path):
        found = sorted(os.listdir(base)) if os.path.isdir(base) else []
        raise SystemExit(f"duckdb_extensions: {path} is missing: duckdb-extension-{name} ships {found}, DuckDB is "
                         f"{duckdb.__version__} (fix: pin both to one version in requirements-test.txt)")
    return path


def connect(*names):
    """An in-memory DuckDB connection with `names` (default: all of KNOWN) loaded, auto-install off."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    wanted = names or KNOWN
    if "iceberg" in wanted and "avro" not in wanted:
        wanted = ("avro",) + tuple(wanted)
    for name in KNOWN:
        if name in wanted:
            con.execute(f"LOAD '{extension_path(name)}'")
    return con


def s3_secret(con, endpoint, key_id=None, secret=None, region="us-east-1"):
    """Creates a temporary S3 secret for an S3-compatible `endpoint` (http://host:port): path-style, TLS as the
    scheme says. Credentials default to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY."""
    scheme, _, hostport = endpoint.partition("://")
    if not hostport:
        scheme, hostport = "https", endpoint
    key_id = key_id if key_id is not None else os.environ["AWS_ACCESS_KEY_ID"]
    secret = secret if secret is not None else os.environ["AWS_SECRET_ACCESS_KEY"]
    con.execute("CREATE OR REPLACE SECRET weir_s3 (TYPE S3, KEY_ID ?, SECRET ?, REGION ?, ENDPOINT ?, "
                "URL_STYLE 'path', USE_SSL ?)", [key_id, secret, region, hostport.rstrip("/"), scheme == "https"])
