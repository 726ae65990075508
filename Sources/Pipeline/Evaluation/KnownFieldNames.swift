import EventSchema

/// The schema's top-level field names, for telling an event's unknown members apart when `_extra` is built.
///
/// Keys compare by Unicode code points (`CodePointKey`), as the decoder and `JSONObject` lookups (which fill the
/// known fields' cells) compare them. A handful of names is scanned (one length comparison per name, usually);
/// more than 16 go into a hash set. (The validator's `SchemaFields.position(of:)` matches names as Swift strings,
/// which treat canonically equivalent keys as equal: an event key `e` + U+0301 for a schema field `é` counts as
/// known there, so `unknownFieldCount` is 0 and the value lands in neither the field's column nor `_extra`. That
/// divergence predates this type and is not fixed here.)
struct KnownFieldNames: Sendable {
    private let names: [CodePointKey]
    private let set: Set<CodePointKey>?

    init(_ names: some Sequence<String>) {
        self.names = names.map(CodePointKey.init)
        set = self.names.count > 16 ? Set(self.names) : nil
    }

    func contains(_ key: String) -> Bool {
        let key = CodePointKey(key)
        if let set { return set.contains(key) }
        for name in names where name == key { return true }
        return false
    }
}
