import Yams

/// Converts YAML (via Yams' node tree, which keeps mapping order) into ``JSONValue``.
/// Integers stay `.int`, floats `.double`; mapping keys must be strings.
enum YAMLBridge {
    static func load(_ text: String) throws(SchemaError) -> JSONValue {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw SchemaError(path: [], rule: nil, message: "invalid YAML: \(YAMLErrorText.oneLine(error))")
        }
        guard let node else { throw SchemaError(path: [], rule: nil, message: "empty schema document") }
        return try convert(node, path: [])
    }

    static func convert(_ node: Node, path: [String]) throws(SchemaError) -> JSONValue {
        switch node {
        case .scalar(let s):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return .bool(node.bool ?? false)
            case .int:
                if let i = node.int { return .int(Int64(i)) }
                return .bigInt(s.string)
            case .float:
                guard let d = node.float, d.isFinite else {
                    throw SchemaError(path: path, rule: nil, message: "non-finite number '\(s.string)'")
                }
                return .double(d)
            default: return .string(s.string)
            }
        case .sequence(let seq):
            var out: [JSONValue] = []
            for (n, item) in seq.enumerated() { out.append(try convert(item, path: path + [String(n)])) }
            return .array(out)
        case .mapping(let map):
            var obj = JSONObject()
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw SchemaError(path: path, rule: nil, message: "mapping keys must be strings")
                }
                if obj.contains(ks.string) {
                    throw SchemaError(path: path + [ks.string], rule: nil, message: "duplicate key")
                }
                obj.set(ks.string, try convert(v, path: path + [ks.string]))
            }
            return .object(obj)
        }
    }
}
