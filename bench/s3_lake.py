#!/usr/bin/env python3
"""bench/s3's helper: an S3-compatible service read with pyarrow's S3FileSystem (credentials from
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).

    s3_lake.py --endpoint URL ready BUCKET            exit 0 when the bucket answers
    s3_lake.py --endpoint URL download s3://B/P DIR   copies P/**/*.parquet (what a reader lists) to DIR, same layout
    s3_lake.py --endpoint URL leftovers s3://B/P      exit 1 when P/_weir/staging holds an object (a lease
                                                      aside) or P an unfinished multipart upload (botocore)
"""
import argparse
import os
import sys
from urllib.parse import urlparse

import botocore.session
import pyarrow.fs as pafs


def filesystem(endpoint):
    url = urlparse(endpoint)
    return pafs.S3FileSystem(access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                             endpoint_override=url.netloc, scheme=url.scheme, region="us-east-1",
                             allow_bucket_creation=False, connect_timeout=2, request_timeout=30)


def objects(fs, base):
    infos = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
    return sorted(i.path for i in infos if i.type == pafs.FileType.File)


def split(uri):
    url = urlparse(uri)
    return (url.netloc + url.path).rstrip("/")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("command", choices=["ready", "download", "leftovers"])
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    fs = filesystem(a.endpoint)
    if a.command == "ready":
        info = fs.get_file_info(a.args[0])
        return 0 if info.type == pafs.FileType.Directory else 1
    if a.command == "download":
        base, target = split(a.args[0]), a.args[1]
        files = [f for f in objects(fs, base) if f.endswith(".parquet") and "/_weir/" not in f[len(base):] + "/"]
        total = 0
        for f in files:
            local = os.path.join(target, f[len(base) + 1:])
            os.makedirs(os.path.dirname(local), exist_ok=True)
            pafs.copy_files(f, local, source_filesystem=fs, destination_filesystem=pafs.LocalFileSystem())
            total += os.path.getsize(local)
        print(f"{a.args[0]}: {len(files)} Parquet objects, {total / 1048576:.1f} MB, read with pyarrow S3FileSystem")
        return 0
    base = split(a.args[0])
    staged = [f for f in objects(fs, base + "/_weir/staging") if not f.endswith("/.lease")]
    bucket, _, prefix = base.partition("/")
    client = botocore.session.get_session().create_client("s3", endpoint_url=a.endpoint, region_name="us-east-1")
    uploads = client.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
    print(f"{a.args[0]}: {len(staged)} objects left in _weir/staging{': ' + ', '.join(staged[:5]) if staged else ''}, "
          f"{len(uploads)} unfinished multipart uploads")
    return 1 if staged or uploads else 0


if __name__ == "__main__":
    sys.exit(main())
