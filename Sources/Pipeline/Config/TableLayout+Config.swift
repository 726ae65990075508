import EventSchema

extension TableLayout {
    /// The layout of the table `config` describes (`event_time.field`, `lake.unknown_fields`, `lake.lineage`).
    public init(schema: EventSchema, config: PipelineConfig) {
        self.init(schema: schema, eventTimeField: config.eventTimeField, keepUnknownFields: config.keepUnknownFields,
                  lineageColumns: config.lineageColumns)
    }
}
