import EventSchema

/// Decides what happens to one record, with no I/O: decode, validate, parse the event time, build the row and
/// the dedup key. Deduplication against the store happens after, for the whole micro-batch at once.
public struct RecordEvaluator: Sendable {
    /// A record that passed every check.
    public struct Accepted: Sendable {
        public let cells: [RowBuffer.Cell]
        /// The Hive partition bucket (UTC day or hour) of the event time.
        public let bucket: Int64
        public let eventMicros: Int64
        /// nil when the key fields are absent (the event is then not deduplicated).
        public let key: DedupKey?
    }

    public enum Outcome: Sendable {
        case accepted(Accepted)
        case rejected(Rejection)
    }

    public let layout: TableLayout
    private let decoder: StrictJSONDecoder
    private let validator: Validator
    private let timeParser: EventTimeParser
    private let config: PipelineConfig
    private let timePath: [String]
    private let keyPaths: [[String]]
    /// Where the first key of `timePath` and of each of `keyPaths` is expected in an event: its position among
    /// the schema's fields (events tend to follow the schema's order); 0 for names the schema lacks.
    private let timeHint: Int
    private let keyHints: [Int]

    public init(schema: EventSchema, config: PipelineConfig) {
        layout = TableLayout(schema: schema, config: config)
        decoder = StrictJSONDecoder(limits: JSONLimits(maxDepth: config.maxDepth, maxBytes: config.maxMessageBytes))
        validator = Validator(schema: schema)
        timeParser = EventTimeParser(format: config.eventTimeFormat)
        self.config = config
        timePath = config.eventTimeField.split(separator: ".").map(String.init)
        if case .fields(let names) = config.dedupKey {
            keyPaths = names.map { $0.split(separator: ".").map(String.init) }
        } else {
            keyPaths = []
        }
        let fieldNames = schema.fields.map(\.name)
        func hint(_ path: [String]) -> Int { path.first.flatMap { fieldNames.firstIndex(of: $0) } ?? 0 }
        timeHint = hint(timePath)
        keyHints = keyPaths.map(hint)
    }

    /// Evaluates one record at processing time `nowMicros`.
    public func evaluate(_ record: SourceRecord, nowMicros: Int64) -> Outcome {
        guard let value = record.value else {
            return .rejected(Rejection(reason: .tombstone, stage: "decode", detail: "null value"))
        }
        guard value.count <= config.maxMessageBytes else {
            return .rejected(Rejection(reason: .tooLarge, stage: "decode", detail: "\(value.count) bytes"))
        }
        let decoded: JSONValue
        do {
            decoded = try decoder.decode(value)
        } catch {
            let reason: RejectionReason = error.rejection == .tooLarge ? .tooLarge : .parseError
            return .rejected(Rejection(reason: reason, stage: "decode", detail: error.rejection.rawValue))
        }
        guard case .object(let object) = decoded else {
            return .rejected(Rejection(reason: .notObject, stage: "decode", detail: Self.kindName(decoded)))
        }
        let result = validator.validate(object)
        guard result.isValid else {
            return .rejected(Rejection(reason: .schema, stage: "validate", detail: result.errors.first?.rule ?? "schema",
                                       errors: result.errors, errorTree: result.cerberusErrors))
        }
        let document = result.document
        guard let eventMicros = eventTime(in: document, nowMicros: nowMicros) else {
            return .rejected(Rejection(reason: .badTimestamp, stage: "transform", detail: config.eventTimeField))
        }
        var cells: [RowBuffer.Cell] = []
        cells.reserveCapacity(layout.columns.count)
        for (position, column) in layout.columns.enumerated() {
            // The columns of schema fields come first, in schema order: `position` is where the field's key is
            // expected in an event that follows the schema's order.
            guard let cell = Self.cell(for: column, document: document, hint: position, record: record,
                                       eventMicros: eventMicros, nowMicros: nowMicros, knownFields: layout.knownFields,
                                       unknownFieldCount: result.unknownFieldCount) else {
                let error = ValidationError(path: [column.name], rule: "type", constraint: "int64",
                                            message: "integer out of the 64-bit range of column \(column.name)")
                return .rejected(Rejection(reason: .schema, stage: "transform", detail: "type", errors: [error],
                                           errorTree: .object(JSONObject([(column.name, .array([.string(error.message)]))]))))
            }
            cells.append(cell)
        }
        return .accepted(Accepted(cells: cells, bucket: config.partitioning.bucket(forMicros: eventMicros),
                                  eventMicros: eventMicros, key: dedupKey(original: object)))
    }

    private func eventTime(in document: JSONObject, nowMicros: Int64) -> Int64? {
        let micros: Int64?
        switch JSONPath.lookup(timePath, in: document, hint: timeHint) {
        case .string(let text)?: micros = timeParser.parse(text: text)
        case .int(let n)?: micros = timeParser.parse(number: Double(n))
        case .double(let n)?: micros = timeParser.parse(number: n)
        default: micros = nil
        }
        guard let micros else { return nil }
        if let maxPast = config.maxPast, micros < nowMicros - maxPast.microseconds { return nil }
        if let maxFuture = config.maxFuture, micros > nowMicros + maxFuture.microseconds { return nil }
        return micros
    }

    private func dedupKey(original: JSONObject) -> DedupKey? {
        switch config.dedupKey {
        case .none: return nil
        case .contentHash: return DedupKey(hashing: JSONWriter.write(.object(original), sortedKeys: true))
        case .fields:
            var hasher = DedupKeyHasher()
            for (path, hint) in zip(keyPaths, keyHints) {
                guard hasher.combineField(JSONPath.lookup(path, in: original, hint: hint)) else { return nil }
            }
            return hasher.finalize()
        }
    }

    /// The cell of `column` for a validated `document`; nil when the value does not fit the column.
    /// - Parameters:
    ///   - hint: where the column's field key is expected in `document` (see `JSONObject.value(forKey:hint:)`).
    ///   - knownFields: the schema's top-level field names; `unknownFieldCount` is how many of `document`'s keys
    ///     are not among them (the validator's count), so that `_extra` is built only when there are some.
    static func cell(for column: LakeColumn, document: JSONObject, hint: Int, record: SourceRecord, eventMicros: Int64,
                     nowMicros: Int64, knownFields: Set<String>, unknownFieldCount: Int) -> RowBuffer.Cell? {
        switch column.source {
        case .eventTime: return .int64(eventMicros)
        case .processingTime: return .int64(nowMicros)
        case .kafkaPartition: return .int32(record.partition)
        case .kafkaOffset: return .int64(record.offset)
        case .unknownFields:
            if unknownFieldCount == 0 { return .string(nil) }
            let extra = document.filter { !knownFields.contains($0.0) }
            return .string(extra.isEmpty ? nil : JSONWriter.string(.object(JSONObject(extra))))
        case .field(let name):
            return ValueConversion.cell(document.value(forKey: name, hint: hint), kind: column.kind)
        }
    }

    static func kindName(_ value: JSONValue) -> String {
        switch value {
        case .array: return "array"
        case .string: return "string"
        case .int, .bigInt, .double: return "number"
        case .bool: return "boolean"
        case .null: return "null"
        case .object: return "object"
        }
    }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
