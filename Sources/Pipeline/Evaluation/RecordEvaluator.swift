import EventSchema

/// Decides what happens to one record, with no I/O: decode, validate, parse the event time, build the row and
/// the dedup key. Deduplication against the store happens after, for the whole micro-batch at once.
public struct RecordEvaluator: Sendable {
    /// A record that passed every check.
    public struct Accepted: Sendable {
        /// The row's cells, in table column order, inside storage shared with the other rows of its batch.
        public let row: RowCells
        /// The row's cells as an array, in table column order.
        public var cells: [RowBuffer.Cell] { row.array }
        /// The Hive partition bucket (UTC day or hour) of the event time.
        public let bucket: Int64
        public let eventMicros: Int64
        /// nil when the key fields are absent (the event is then not deduplicated).
        public let key: DedupKey?
        /// The record value's size in bytes, noted while it is in cache (the run loop's accounting would otherwise
        /// reach into every payload again).
        public let inputBytes: Int
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
    /// The schema's top-level fields, for the decoder: set when the table keeps unknown fields (`_extra`, cut from
    /// the record's bytes at the spans the decoder reports instead of written again) or when the decoder may skip
    /// building the unknown fields' values (nothing reads them: see `canSkipUnknownValues(…)`); nil otherwise.
    private let declared: DeclaredMembers?
    private let plan: CellPlan
    /// The flat path, where the schema and config allow it (see `FlatPlan`).
    private let flat: FlatPlan?

    public init(schema: EventSchema, config: PipelineConfig) {
        self.init(schema: schema, config: config, allowsFlatPath: true)
    }

    /// `allowsFlatPath` false: every event takes the general path (for tests that compare the two).
    init(schema: EventSchema, config: PipelineConfig, allowsFlatPath: Bool) {
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
        plan = CellPlan(layout: layout)
        let skips = Self.canSkipUnknownValues(validator: validator, fieldNames: fieldNames, config: config,
                                            paths: [timePath] + keyPaths)
        let keepsUnknownFields = layout.columns.contains { $0.source == .unknownFields }
        declared = keepsUnknownFields || skips ? DeclaredMembers(fieldNames, skipsUndeclaredValues: skips) : nil
        flat = !allowsFlatPath ? nil
            : FlatPlan(validator: validator, config: config, declared: declared, fieldNames: fieldNames, timePath: timePath,
                       keyPaths: keyPaths, cellFieldNames: plan.fieldNames)
    }

    /// Whether events go through the flat path first (see `FlatPlan`).
    var usesFlatPath: Bool { flat != nil }

    /// Whether nothing reads the values of an event's unknown top-level fields, so the decoder need not build them:
    /// the validator ignores them (`allow_unknown`, no `dependencies` or `excludes`), the dedup key is not a hash of
    /// the whole event, and the event time and dedup key paths start at schema fields (by code points, as
    /// `JSONPath` looks them up). `_extra` takes their text from the record's bytes either way.
    static func canSkipUnknownValues(validator: Validator, fieldNames: [String], config: PipelineConfig,
                                     paths: [[String]]) -> Bool {
        if case .contentHash = config.dedupKey { return false }
        guard validator.ignoresUndeclaredMembers else { return false }
        let names = Set(fieldNames.map(CodePointKey.init))
        return paths.allSatisfy { path in path.first.map { names.contains(CodePointKey($0)) } ?? false }
    }

    /// Whether the decoder skips building the values of unknown fields (they are only checked).
    var skipsUnknownValues: Bool { declared?.skipsUndeclaredValues == true }

    /// Evaluates one record at processing time `nowMicros`.
    public func evaluate(_ record: SourceRecord, nowMicros: Int64) -> Outcome {
        var scratch = Scratch()
        var cells: [RowBuffer.Cell] = []
        let storage = RowCellStorage()
        let outcome = evaluate(record, nowMicros: nowMicros, scratch: &scratch, cells: &cells, storage: storage)
        storage.fill(&cells)
        return outcome
    }

    /// Evaluates `records` in order at processing time `nowMicros`, reusing one scratch buffer for the decoder's
    /// member spans (what `_extra` is cut from) instead of allocating one per record. The rows' cells share one
    /// array (`RowCellStorage`) instead of one array per row.
    public func evaluate<Records: Collection<SourceRecord>>(_ records: Records, nowMicros: Int64) -> [Outcome] {
        var scratch = Scratch()
        scratch.spans.reserveCapacity(declared == nil ? 0 : 32)
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(records.count)
        var cells: [RowBuffer.Cell] = []
        cells.reserveCapacity(records.count * plan.steps.count)
        let storage = RowCellStorage()
        // By index: iterating would copy (retain and release) each record.
        for i in records.indices {
            outcomes.append(evaluate(records[i], nowMicros: nowMicros, scratch: &scratch, cells: &cells, storage: storage))
        }
        storage.fill(&cells)
        return outcomes
    }

    /// The decoder's buffers, reused from one record to the next: the member spans (what `_extra` is cut from) and
    /// the flat path's field values.
    struct Scratch {
        var spans: [JSONMemberSpan] = []
        var values: [JSONValue?] = []
    }

    /// `evaluate(_:nowMicros:)` with `scratch` as the decoder's buffers (their contents are replaced); an accepted
    /// row's cells are appended to `cells`, which the caller moves into `storage` once every record is evaluated.
    private func evaluate(_ record: SourceRecord, nowMicros: Int64, scratch: inout Scratch,
                          cells: inout [RowBuffer.Cell], storage: RowCellStorage) -> Outcome {
        guard let value = record.value else {
            return .rejected(Rejection(reason: .tombstone, stage: "decode", detail: "null value"))
        }
        guard value.count <= config.maxMessageBytes else {
            return .rejected(Rejection(reason: .tooLarge, stage: "decode", detail: "\(value.count) bytes"))
        }
        if let flat, decoder.decodeFlat(value, declared: flat.declared, values: &scratch.values, undeclared: &scratch.spans),
           validator.acceptsFlat(scratch.values),
           let accepted = acceptFlat(record, value: value, flat: flat, values: scratch.values, spans: scratch.spans,
                                     nowMicros: nowMicros, cells: &cells, storage: storage) {
            return .accepted(accepted)
        }
        return evaluateInFull(record, value: value, nowMicros: nowMicros, spans: &scratch.spans, cells: &cells,
                              storage: storage)
    }

    /// The flat path's row for an event whose field `values` passed validation (`spans`: its undeclared members);
    /// nil when the general path must decide (a bad event time, an integer out of a column's range), which then
    /// writes the rejection.
    private func acceptFlat(_ record: SourceRecord, value: [UInt8], flat: FlatPlan, values: [JSONValue?],
                            spans: [JSONMemberSpan], nowMicros: Int64, cells: inout [RowBuffer.Cell],
                            storage: RowCellStorage) -> Accepted? {
        guard let eventMicros = eventTime(of: values[flat.timeSlot], nowMicros: nowMicros) else { return nil }
        let start = cells.count
        let unfit = appendRow(of: record, eventMicros: eventMicros, nowMicros: nowMicros, cells: &cells,
                              fieldValue: { name, _ in values[flat.cellSlots[name]] },
                              unknownFields: { Self.unknownFieldsText(spans: spans, in: value) })
        guard unfit == nil else { return nil }
        var key: DedupKey?
        if case .fields = config.dedupKey {
            var hasher = DedupKeyHasher()
            key = flat.keySlots.allSatisfy { hasher.combineField(values[$0]) } ? hasher.finalize() : nil
        }
        return Accepted(row: RowCells(storage: storage, start: start, count: plan.steps.count),
                        bucket: config.partitioning.bucket(forMicros: eventMicros), eventMicros: eventMicros, key: key,
                        inputBytes: value.count)
    }

    /// The general path: decodes the record into a `JSONValue` tree, validates it and builds the row from it, or
    /// says why it is rejected.
    private func evaluateInFull(_ record: SourceRecord, value: [UInt8], nowMicros: Int64, spans: inout [JSONMemberSpan],
                                cells: inout [RowBuffer.Cell], storage: RowCellStorage) -> Outcome {
        let decoded: JSONValue
        do {
            if let declared {
                decoded = try decoder.decode(value, declared: declared, undeclared: &spans)
            } else {
                decoded = try decoder.decode(value)
            }
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
        let start = cells.count
        let unfit = appendRow(
            of: record, eventMicros: eventMicros, nowMicros: nowMicros, cells: &cells,
            // The columns of schema fields come first, in schema order: a column's position is where the field's key
            // is expected in an event that follows the schema's order (see `JSONObject.value(forKey:hint:)`).
            fieldValue: { name, position in document.value(forKey: plan.fieldNames[name], hint: position) },
            unknownFields: {
                // Unknown fields the validator saw (none when the decoder skipped them) or that the decoder skipped.
                // (The validator matches names as Swift strings, the decoder by code points: a key canonically
                // equivalent to a schema field but spelled differently counts as known to the validator, which
                // checks it as that field, while its span is reported; it lands in `_extra` only next to a truly
                // unknown field, and never in the field's column, which is looked up by code points.)
                let unknown = result.unknownFieldCount > 0 || spans.contains(where: \.isSkipped)
                return unknown ? Self.unknownFieldsText(spans: spans, in: value) : nil
            })
        if let position = unfit {
            let name = plan.columnNames[position]
            let error = ValidationError(path: [name], rule: "type", constraint: "int64",
                                        message: "integer out of the 64-bit range of column \(name)")
            return .rejected(Rejection(reason: .schema, stage: "transform", detail: "type", errors: [error],
                                       errorTree: .object(JSONObject([(name, .array([.string(error.message)]))]))))
        }
        return .accepted(Accepted(row: RowCells(storage: storage, start: start, count: plan.steps.count),
                                  bucket: config.partitioning.bucket(forMicros: eventMicros),
                                  eventMicros: eventMicros, key: dedupKey(original: object), inputBytes: value.count))
    }

    /// Appends `record`'s row to `cells`, in table column order: a schema field's cell converted from
    /// `fieldValue(name, position)` (`name` indexes `plan.fieldNames`, `position` is the column's), `_extra` from
    /// `unknownFields()`, the event time, processing time and Kafka coordinates as given. Returns nil once the row
    /// is complete, or the position of the first column that cannot hold its value (an integer beyond the column's
    /// range), having removed the cells it appended.
    @inline(__always)
    private func appendRow(of record: SourceRecord, eventMicros: Int64, nowMicros: Int64, cells: inout [RowBuffer.Cell],
                           fieldValue: (Int, Int) -> JSONValue?, unknownFields: () -> String?) -> Int? {
        let start = cells.count
        for position in plan.steps.indices {
            let cell: RowBuffer.Cell?
            switch plan.steps[position] {
            case .field(let name, let kind): cell = ValueConversion.cell(fieldValue(name, position), kind: kind)
            case .eventTime: cell = .int64(eventMicros)
            case .processingTime: cell = .int64(nowMicros)
            case .kafkaPartition: cell = .int32(record.partition)
            case .kafkaOffset: cell = .int64(record.offset)
            case .unknownFields: cell = .string(unknownFields())
            }
            guard let cell else {
                cells.removeLast(cells.count - start)
                return position
            }
            cells.append(cell)
        }
        return nil
    }

    private func eventTime(in document: JSONObject, nowMicros: Int64) -> Int64? {
        eventTime(of: JSONPath.lookup(timePath, in: document, hint: timeHint), nowMicros: nowMicros)
    }

    /// The event time `value` holds, in microseconds since the epoch; nil when it is missing, unparsable or outside
    /// `max_past` / `max_future` of `nowMicros`.
    private func eventTime(of value: JSONValue?, nowMicros: Int64) -> Int64? {
        let micros: Int64?
        switch value {
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

    /// `_extra`: the members at `spans` (the decoder's spans of the members whose keys are not schema fields, in
    /// document order) as one JSON object of their original text: each key and value is copied from `bytes`,
    /// joined by `,` with `:` between key and value, so values keep the producer's formatting (`1.50`,
    /// `"\u00e9"`, spaces inside arrays). nil when there is no such member.
    static func unknownFieldsText(spans unknown: [JSONMemberSpan], in bytes: [UInt8]) -> String? {
        var length = 1
        for span in unknown { length += span.key.count + span.value.count + 2 }
        guard !unknown.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { input in
            String(unsafeUninitializedCapacity: length) { out in
                var n = 0
                func copy(_ range: Range<Int>) {
                    _ = UnsafeMutableBufferPointer(rebasing: out[n..<(n + range.count)]).initialize(from: input[range])
                    n += range.count
                }
                for span in unknown {
                    out[n] = n == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")
                    n += 1
                    copy(span.key)
                    out[n] = UInt8(ascii: ":")
                    n += 1
                    copy(span.value)
                }
                out[n] = UInt8(ascii: "}")
                return n + 1
            }
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
