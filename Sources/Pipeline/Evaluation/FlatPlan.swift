import EventSchema

/// Where `RecordEvaluator`'s flat path finds what it needs among an event's top-level field values, as
/// `StrictJSONDecoder.decodeFlat` returns them (one slot per schema field, in schema order).
///
/// The flat path decodes an event's declared members into those slots and checks them with
/// `Validator.acceptsFlat`, instead of building a `JSONObject` and walking it: no tree, no lookups by name. It exists
/// only where it gives exactly what the general path gives (see `init`); an event it cannot take (a declared field
/// holding an object or an array, invalid JSON, a failed rule) goes through the general path, which also writes
/// every rejection, so dead-letter reasons never depend on the path.
struct FlatPlan: Sendable {
    /// The schema's top-level fields, undeclared members skipped.
    let declared: DeclaredMembers
    /// The slot of the event time field.
    let timeSlot: Int
    /// The slots of the dedup key fields, in key order (empty when the key is not made of fields).
    let keySlots: [Int]
    /// For each of `CellPlan.fieldNames`, its slot.
    let cellSlots: [Int]

    /// nil unless the flat path gives the same outcome as the general path for every event it takes: the validator
    /// reads no undeclared member and normalizes nothing (`Validator.checksFlatDocuments`), the dedup key is not a
    /// hash of the whole event, and the event time and every key field are top-level schema fields (one-segment
    /// paths). `declared` must be the evaluator's, built from `fieldNames` with undeclared values skipped.
    init?(validator: Validator, config: PipelineConfig, declared: DeclaredMembers?, fieldNames: [String],
          timePath: [String], keyPaths: [[String]], cellFieldNames: [String]) {
        guard let declared, declared.skipsUndeclaredValues, validator.checksFlatDocuments else { return nil }
        if case .contentHash = config.dedupKey { return nil }
        // The decoder's slots are `declared`'s names: they must be the schema's fields one for one.
        guard declared.count == fieldNames.count else { return nil }
        let slots = Dictionary(fieldNames.enumerated().map { (CodePointKey($0.element), $0.offset) },
                               uniquingKeysWith: { first, _ in first })
        func slot(_ path: [String]) -> Int? { path.count == 1 ? slots[CodePointKey(path[0])] : nil }
        guard let timeSlot = slot(timePath) else { return nil }
        var keySlots: [Int] = []
        for path in keyPaths {
            guard let keySlot = slot(path) else { return nil }
            keySlots.append(keySlot)
        }
        var cellSlots: [Int] = []
        for name in cellFieldNames {
            guard let cellSlot = slots[CodePointKey(name)] else { return nil }
            cellSlots.append(cellSlot)
        }
        self.declared = declared
        self.timeSlot = timeSlot
        self.keySlots = keySlots
        self.cellSlots = cellSlots
    }
}
