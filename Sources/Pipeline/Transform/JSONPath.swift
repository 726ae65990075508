import EventSchema

/// Dotted-path lookup into decoded events, e.g. `meta.dt`.
enum JSONPath {
    /// The value at `path` (one key per level), or nil when a level is missing or not an object.
    static func lookup(_ path: [String], in object: JSONObject) -> JSONValue? {
        guard let first = path.first, var current = object[first] else { return nil }
        for key in path.dropFirst() {
            guard case .object(let inner) = current, let next = inner[key] else { return nil }
            current = next
        }
        return current
    }
}
