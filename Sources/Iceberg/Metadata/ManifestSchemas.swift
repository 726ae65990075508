/// The Avro schemas of v2 manifests and manifest lists (table spec, "Manifests" and "Manifest Lists"), with the
/// spec's field ids, which is what readers resolve fields by.
public enum ManifestSchemas {
    /// `manifest_entry` for data files partitioned by `spec`.
    public static func manifestEntry(spec: PartitionSpec) -> AvroSchema {
        let partition = AvroSchema.record(name: "r102", fields: spec.fields.map {
            AvroField(name: $0.name, type: .optional($0.transform.avroType), fieldID: $0.fieldID, defaultsToNull: true)
        })
        func counts(_ id: Int32, _ key: Int32, _ value: Int32, _ name: String) -> AvroField {
            AvroField(name: name, type: .optional(.keyValueMap(recordName: "k\(key)_v\(value)", key: .int, keyID: key, value: .long, valueID: value)),
                      fieldID: id, defaultsToNull: true)
        }
        func bounds(_ id: Int32, _ key: Int32, _ value: Int32, _ name: String) -> AvroField {
            AvroField(name: name, type: .optional(.keyValueMap(recordName: "k\(key)_v\(value)", key: .int, keyID: key, value: .bytes, valueID: value)),
                      fieldID: id, defaultsToNull: true)
        }
        let dataFile = AvroSchema.record(name: "r2", fields: [
            AvroField(name: "content", type: .int, fieldID: 134),
            AvroField(name: "file_path", type: .string, fieldID: 100),
            AvroField(name: "file_format", type: .string, fieldID: 101),
            AvroField(name: "partition", type: partition, fieldID: 102),
            AvroField(name: "record_count", type: .long, fieldID: 103),
            AvroField(name: "file_size_in_bytes", type: .long, fieldID: 104),
            counts(108, 117, 118, "column_sizes"),
            counts(109, 119, 120, "value_counts"),
            counts(110, 121, 122, "null_value_counts"),
            counts(137, 138, 139, "nan_value_counts"),
            bounds(125, 126, 127, "lower_bounds"),
            bounds(128, 129, 130, "upper_bounds"),
            AvroField(name: "key_metadata", type: .optional(.bytes), fieldID: 131, defaultsToNull: true),
            AvroField(name: "split_offsets", type: .optional(.array(items: .long, elementID: 133)), fieldID: 132, defaultsToNull: true),
            AvroField(name: "equality_ids", type: .optional(.array(items: .int, elementID: 136)), fieldID: 135, defaultsToNull: true),
            AvroField(name: "sort_order_id", type: .optional(.int), fieldID: 140, defaultsToNull: true),
        ])
        return .record(name: "manifest_entry", fields: [
            AvroField(name: "status", type: .int, fieldID: 0),
            AvroField(name: "snapshot_id", type: .optional(.long), fieldID: 1, defaultsToNull: true),
            AvroField(name: "sequence_number", type: .optional(.long), fieldID: 3, defaultsToNull: true),
            AvroField(name: "file_sequence_number", type: .optional(.long), fieldID: 4, defaultsToNull: true),
            AvroField(name: "data_file", type: dataFile, fieldID: 2),
        ])
    }

    /// `field_summary` of a manifest list entry.
    static let fieldSummary = AvroSchema.record(name: "r508", fields: [
        AvroField(name: "contains_null", type: .boolean, fieldID: 509),
        AvroField(name: "contains_nan", type: .optional(.boolean), fieldID: 518, defaultsToNull: true),
        AvroField(name: "lower_bound", type: .optional(.bytes), fieldID: 510, defaultsToNull: true),
        AvroField(name: "upper_bound", type: .optional(.bytes), fieldID: 511, defaultsToNull: true),
    ])

    /// `manifest_file`, one entry of a v2 manifest list.
    public static let manifestFile = AvroSchema.record(name: "manifest_file", fields: [
        AvroField(name: "manifest_path", type: .string, fieldID: 500),
        AvroField(name: "manifest_length", type: .long, fieldID: 501),
        AvroField(name: "partition_spec_id", type: .int, fieldID: 502),
        AvroField(name: "content", type: .int, fieldID: 517),
        AvroField(name: "sequence_number", type: .long, fieldID: 515),
        AvroField(name: "min_sequence_number", type: .long, fieldID: 516),
        AvroField(name: "added_snapshot_id", type: .long, fieldID: 503),
        AvroField(name: "added_files_count", type: .int, fieldID: 504),
        AvroField(name: "existing_files_count", type: .int, fieldID: 505),
        AvroField(name: "deleted_files_count", type: .int, fieldID: 506),
        AvroField(name: "added_rows_count", type: .long, fieldID: 512),
        AvroField(name: "existing_rows_count", type: .long, fieldID: 513),
        AvroField(name: "deleted_rows_count", type: .long, fieldID: 514),
        AvroField(name: "partitions", type: .optional(.array(items: fieldSummary, elementID: 508)), fieldID: 507, defaultsToNull: true),
        AvroField(name: "key_metadata", type: .optional(.bytes), fieldID: 519, defaultsToNull: true),
    ])
}
