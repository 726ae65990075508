extension Storage {
    /// Visits the name (relative to the root) of every object below `prefix`, walking sub-prefixes with `list`
    /// in sorted order, until `visit` returns false. An entry is an object when `info` finds one under its name
    /// (one `stat`, or one `HEAD` on object storage), otherwise a sub-prefix, walked if `descend` accepts it.
    /// - Parameters:
    ///   - prefix: where to start; the empty prefix is the root.
    ///   - descend: whether to walk a sub-prefix (given by its full name); default every one.
    ///   - visit: called with each object's name; return false to stop the walk.
    /// - Throws: the storage's error, or what `visit` throws.
    public func walk(_ prefix: String, descend: (String) -> Bool = { _ in true }, _ visit: (String) throws -> Bool) throws {
        _ = try walkLevel(prefix, descend: descend, visit)
    }

    /// The names of every object below `prefix` (see `walk`), sorted.
    public func objects(under prefix: String, descend: (String) -> Bool = { _ in true }) throws -> [String] {
        var out: [String] = []
        try walk(prefix, descend: descend) { out.append($0); return true }
        return out.sorted()
    }

    private func walkLevel(_ prefix: String, descend: (String) -> Bool, _ visit: (String) throws -> Bool) throws -> Bool {
        for entry in try list(prefix) {
            let name = prefix.isEmpty ? entry : prefix + "/" + entry
            if try info(name) != nil {
                guard try visit(name) else { return false }
            } else if descend(name) {
                guard try walkLevel(name, descend: descend, visit) else { return false }
            }
        }
        return true
    }
}
