#!/usr/bin/env python3
"""Parquet oracle for Tests/ParquetTests.

  parquet_dump.py dump PATH            -> JSON on stdout describing PATH as read by pyarrow (+ DuckDB cross-check)
  parquet_dump.py generate PATH SEED ROWS CODEC PAGEVER DICT
                                       -> writes a pyarrow file with every flat type, then dumps it like `dump`

Canonical value strings (shared with the Swift tests): bool "true"/"false"; integers decimal text (unsigned
types unsigned); float/double "nan" or the IEEE bit pattern as an unsigned decimal; strings as-is; binary and
fixed-size binary lowercase hex; timestamps/dates the raw integer; decimals the unscaled integer (INT32/INT64
storage) or hex of the big-endian two's complement bytes (FIXED_LEN_BYTE_ARRAY storage). null -> JSON null.
Statistics use the same forms over the physical type (strings as hex of their UTF-8 bytes).
"""
import json, random, struct, sys, decimal
import pyarrow as pa
import pyarrow.parquet as pq


def unscaled(d, scale):
    sign, digits, exp = d.as_tuple()
    n = int("".join(map(str, digits)) or "0") * 10 ** (exp + scale) if exp + scale >= 0 else None
    if n is None:
        raise ValueError(f"decimal {d} has more than {scale} fractional digits")
    return -n if sign else n


def canon_array(arr, pcol):
    t = arr.type
    if isinstance(t, pa.ExtensionType):
        arr, t = arr.storage, arr.type.storage_type
    if pa.types.is_timestamp(t):
        arr = arr.cast(pa.int64())
    elif pa.types.is_date32(t):
        arr = arr.cast(pa.int32())
    vals = arr.to_pylist()
    out = []
    for v in vals:
        if v is None:
            out.append(None)
        elif pa.types.is_boolean(t):
            out.append("true" if v else "false")
        elif pa.types.is_float32(t):
            out.append("nan" if v != v else str(struct.unpack("<I", struct.pack("<f", v))[0]))
        elif pa.types.is_floating(t):
            out.append("nan" if v != v else str(struct.unpack("<Q", struct.pack("<d", v))[0]))
        elif pa.types.is_decimal(t):
            out.append(canon_decimal(unscaled(v, t.scale), pcol))
        elif isinstance(v, (bytes, bytearray)):
            out.append(bytes(v).hex())
        else:
            out.append(str(v))
    return out


def canon_decimal(n, pcol):
    if pcol.physical_type == "FIXED_LEN_BYTE_ARRAY":
        return n.to_bytes(pcol.length, "big", signed=True).hex()
    return str(n)


def canon_stat(v, pcol, arrow_type):
    pt = pcol.physical_type
    if isinstance(v, str):
        return v.encode("utf-8").hex()
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if pt == "BOOLEAN":
        return "true" if v else "false"
    if pt == "FLOAT":
        return "nan" if v != v else str(struct.unpack("<I", struct.pack("<f", v))[0])
    if pt == "DOUBLE":
        return "nan" if v != v else str(struct.unpack("<Q", struct.pack("<d", v))[0])
    if pt in ("INT32", "INT64") and pa.types.is_unsigned_integer(arrow_type) and v < 0:
        v += 2 ** (32 if pt == "INT32" else 64)
    return str(v)


def dump(path):
    f = pq.ParquetFile(path)
    table = f.read()
    md = f.metadata
    cols = []
    for i, field in enumerate(table.schema):
        pcol = f.schema.column(i)
        stats = []
        for g in range(md.num_row_groups):
            cc = md.row_group(g).column(i)
            st = cc.statistics
            entry = {"has_min_max": bool(st is not None and st.has_min_max),
                     "null_count": None if st is None or not st.has_null_count else st.null_count,
                     "min": None, "max": None, "num_values": cc.num_values,
                     "compression": cc.compression, "encodings": list(cc.encodings)}
            if entry["has_min_max"]:
                entry["min"] = canon_stat(st.min_raw, pcol, field.type)
                entry["max"] = canon_stat(st.max_raw, pcol, field.type)
            stats.append(entry)
        field_id = (field.metadata or {}).get(b"PARQUET:field_id")
        cols.append({"name": field.name, "arrow_type": str(field.type), "nullable": field.nullable,
                     "field_id": int(field_id) if field_id is not None else None,
                     "values": canon_array(table.column(i).combine_chunks(), pcol), "stats": stats})
    result = {"num_rows": md.num_rows, "num_row_groups": md.num_row_groups, "created_by": md.created_by,
              "key_value": {k.decode(): v.decode() for k, v in (md.metadata or {}).items() if k != b"ARROW:schema"},
              "columns": cols, "duckdb_mismatch": duck_check(path, table, f)}
    return result


def duck_check(path, table, f):
    try:
        import duckdb
        con = duckdb.connect()
        con.execute("SET threads=1")
        rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
        dt = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        if hasattr(dt, "read_all"):
            dt = dt.read_all()
        if dt.num_rows != table.num_rows:
            return f"duckdb rows {dt.num_rows} != {table.num_rows}"
        for i, field in enumerate(table.schema):
            pcol = f.schema.column(i)
            d = dt.column(i).combine_chunks()
            target = field.type.storage_type if isinstance(field.type, pa.ExtensionType) else field.type
            try:
                d = d.cast(target)
            except Exception:
                pass
            a = canon_array(table.column(i).combine_chunks(), pcol)
            b = canon_array(d, pcol)
            if a != b:
                k = next(j for j in range(len(a)) if a[j] != b[j])
                return f"column {field.name} row {k}: pyarrow {a[k]!r} duckdb {b[k]!r}"
        return None
    except Exception as e:  # report, don't crash: the Swift test asserts this is null
        return f"duckdb error: {e}"


def generate(path, seed, rows, codec, page_version, use_dict):
    rnd = random.Random(seed)
    def maybe(gen):
        return [None if rnd.random() < 0.3 else gen() for _ in range(rows)]
    words = ["", "a", "ñandú", "日本語", "😀🎉", "alpha", "beta", "gamma"]
    data = {
        "b": pa.array(maybe(lambda: rnd.random() < 0.5), pa.bool_()),
        "i8": pa.array(maybe(lambda: rnd.randint(-128, 127)), pa.int8()),
        "u16": pa.array(maybe(lambda: rnd.randint(0, 65535)), pa.uint16()),
        "i32": pa.array(maybe(lambda: rnd.randint(-2**31, 2**31 - 1)), pa.int32()),
        "u32": pa.array(maybe(lambda: rnd.randint(0, 2**32 - 1)), pa.uint32()),
        "i64": pa.array(maybe(lambda: rnd.choice([-2**63, 2**63 - 1, rnd.randint(-2**63, 2**63 - 1)])), pa.int64()),
        "u64": pa.array(maybe(lambda: rnd.randint(0, 2**64 - 1)), pa.uint64()),
        "f32": pa.array(maybe(lambda: rnd.choice([-0.0, float("inf"), rnd.uniform(-1e6, 1e6)])), pa.float32()),
        "f64": pa.array(maybe(lambda: rnd.choice([-0.0, 0.0, float("-inf"), rnd.uniform(-1e300, 1e300)])), pa.float64()),
        "s": pa.array(maybe(lambda: rnd.choice(words) + str(rnd.randint(0, 50))), pa.string()),
        "bin": pa.array(maybe(lambda: bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 12)))), pa.binary()),
        "flba": pa.array(maybe(lambda: bytes(rnd.getrandbits(8) for _ in range(4))), pa.binary(4)),
        "ts_us": pa.array(maybe(lambda: rnd.randint(0, 2**50)), pa.timestamp("us", tz="UTC")),
        "ts_ms": pa.array(maybe(lambda: rnd.randint(0, 2**42)), pa.timestamp("ms", tz="UTC")),
        "d": pa.array(maybe(lambda: rnd.randint(-100000, 100000)), pa.int32()).cast(pa.date32()),
        "dec": pa.array(maybe(lambda: decimal.Decimal(rnd.randint(-10**11, 10**11)).scaleb(-3)), pa.decimal128(14, 3)),
        "req": pa.array([rnd.randint(0, 5) for _ in range(rows)], pa.int64()),
    }
    schema = pa.schema([pa.field(k, v.type, nullable=(k != "req")) for k, v in data.items()])
    table = pa.table(list(data.values()), schema=schema)
    pq.write_table(table, path, compression=codec, data_page_version=page_version, use_dictionary=use_dict,
                   row_group_size=max(1, rows // 3 + 1))
    return dump(path)


def main():
    decimal.getcontext().prec = 80
    if sys.argv[1] == "dump":
        out = dump(sys.argv[2])
    elif sys.argv[1] == "generate":
        _, _, path, seed, rows, codec, pv, d = sys.argv
        out = generate(path, int(seed), int(rows), codec, pv, d == "1")
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
