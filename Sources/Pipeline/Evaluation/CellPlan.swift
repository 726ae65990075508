/// How `RecordEvaluator` fills each column of a row, resolved once from the table layout. Each step is trivially
/// copyable (a field is an index into `fieldNames`, not a `String`), so reading the plan for every record and
/// column retains and releases nothing, unlike walking the layout's `LakeColumn`s.
struct CellPlan: Sendable {
    enum Step: Sendable {
        /// The schema field `fieldNames[name]`, converted to `kind`.
        case field(name: Int, kind: LakeColumn.Kind)
        case eventTime, processingTime, kafkaPartition, kafkaOffset, unknownFields
    }

    /// One step per table column, in column order.
    let steps: [Step]
    let fieldNames: [String]
    /// The table's column names, for errors.
    let columnNames: [String]

    init(layout: TableLayout) {
        var steps: [Step] = []
        var fieldNames: [String] = []
        for column in layout.columns {
            switch column.source {
            case .field(let name):
                steps.append(.field(name: fieldNames.count, kind: column.kind))
                fieldNames.append(name)
            case .eventTime: steps.append(.eventTime)
            case .processingTime: steps.append(.processingTime)
            case .kafkaPartition: steps.append(.kafkaPartition)
            case .kafkaOffset: steps.append(.kafkaOffset)
            case .unknownFields: steps.append(.unknownFields)
            }
        }
        self.steps = steps
        self.fieldNames = fieldNames
        columnNames = layout.columns.map(\.name)
    }
}
