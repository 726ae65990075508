/// Builds the `validator.errors` tree (the shape of Cerberus's `BasicErrorHandler`): for each path element in
/// order of first error, its messages and then the tree of its sub-paths.
///
/// Path elements match with `String` equality. A level holds few elements (the fields that failed), so it is
/// searched linearly, with a hash index past ``linearLimit`` elements (e.g. thousands of failing list items).
struct ErrorTree {
    /// One path element: its messages (rule name and text, in insertion order) and its sub-tree.
    struct Node {
        let key: String
        var messages: [(rule: String, text: String)] = []
        var subtree: ErrorTree?
    }

    /// The elements in order of first error.
    private(set) var nodes: [Node] = []
    /// Key → position in `nodes`, once there are more than `linearLimit` of them.
    private var index: [String: Int]?

    static let linearLimit = 16

    /// Adds the message of rule `rule` at `path` (empty paths are ignored).
    mutating func insert(_ path: ArraySlice<String>, _ rule: String, _ message: String) {
        guard let head = path.first else { return }
        let n = position(of: head) ?? append(head)
        if path.count == 1 {
            nodes[n].messages.append((rule, message))
        } else {
            if nodes[n].subtree == nil { nodes[n].subtree = ErrorTree() }
            nodes[n].subtree!.insert(path.dropFirst(), rule, message)
        }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return nodes.firstIndex { $0.key == key }
    }

    private mutating func append(_ key: String) -> Int {
        nodes.append(Node(key: key))
        let n = nodes.count - 1
        if index != nil {
            index![key] = n
        } else if nodes.count > Self.linearLimit {
            var idx: [String: Int] = [:]
            for (i, node) in nodes.enumerated() { idx[node.key] = i }
            index = idx
        }
        return n
    }

    var json: JSONValue {
        var obj = JSONObject()
        for node in nodes {
            // Cerberus sorts errors by schema path, i.e. a field's messages by rule name; its path
            // comparison calls equal paths "less", which reverses errors of the same rule.
            let sorted = node.messages.enumerated().sorted { ($0.element.rule, $1.offset) < ($1.element.rule, $0.offset) }
            var items: [JSONValue] = sorted.map { .string($0.element.text) }
            if let subtree = node.subtree { items.append(subtree.json) }
            obj.set(node.key, .array(items))
        }
        return .object(obj)
    }
}
