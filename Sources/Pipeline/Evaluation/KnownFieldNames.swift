import EventSchema

/// The schema's top-level field names, for telling an event's unknown members apart when `_extra` is built.
///
/// Keys compare by Unicode code points (`CodePointKey`), as the validator and the decoder compare them, so a key
/// the validator counted as unknown is never taken for a known field that is only canonically equivalent to it.
/// A handful of names is scanned (one length comparison per name, usually); more than 16 go into a hash set.
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
