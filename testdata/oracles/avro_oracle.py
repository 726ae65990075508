#!/usr/bin/env python3
"""Avro oracle for Tests/IcebergTests (fastavro).

  avro_oracle.py schemaless SCHEMA.json RECORDS.json -> JSON list: each record encoded by fastavro's
                                                        schemaless_writer, as lowercase hex
  avro_oracle.py read FILE.avro                      -> JSON {"metadata": {key: text}, "schema": <avro.schema parsed>,
                                                        "codec": ..., "records": [...]}

Values in JSON: bytes and fixed as lowercase hex strings; a union ["null", X] as null or the X value; an Iceberg
map (array of key/value records) as a list of {"key": ..., "value": ...}; floats as numbers.
"""
import io, json, sys
import fastavro


def from_json(value, schema):
    if isinstance(schema, list):
        if value is None:
            return None
        branch = next(b for b in schema if b != "null")
        return from_json(value, branch)
    if isinstance(schema, str):
        return bytes.fromhex(value) if schema == "bytes" else value
    t = schema["type"]
    if t == "record":
        return {f["name"]: from_json(value[f["name"]], f["type"]) for f in schema["fields"]}
    if t == "array":
        return [from_json(v, schema["items"]) for v in value]
    if t == "fixed":
        return bytes.fromhex(value)
    return from_json(value, t) if isinstance(t, str) and t != schema.get("name") else value


def to_json(value):
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def main():
    if sys.argv[1] == "schemaless":
        schema_json = json.load(open(sys.argv[2]))
        parsed = fastavro.parse_schema(schema_json)
        out = []
        for record in json.load(open(sys.argv[3])):
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, parsed, from_json(record, schema_json))
            out.append(buf.getvalue().hex())
        print(json.dumps(out))
    elif sys.argv[1] == "read":
        with open(sys.argv[2], "rb") as f:
            reader = fastavro.reader(f, return_record_name=False)
            meta = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in reader.metadata.items()}
            records = [to_json(r) for r in reader]
        print(json.dumps({"metadata": meta, "schema": json.loads(meta["avro.schema"]), "codec": reader.codec,
                          "records": records}))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")


main()
