import EventSchema

/// Dotted-path lookup into decoded events, e.g. `meta.dt`.
enum JSONPath {
    /// The value at `path` (one key per level), or nil when a level is missing or not an object. `hint` is where
    /// the first key is expected in `object` (see `JSONObject.value(forKey:hint:)`); it never changes the result.
    static func lookup(_ path: [String], in object: JSONObject, hint: Int = 0) -> JSONValue? {
        guard let first = path.first, var current = object.value(forKey: first, hint: hint) else { return nil }
        for key in path.dropFirst() {
            guard case .object(let inner) = current, let next = inner[key] else { return nil }
            current = next
        }
        return current
    }
}
