import Foundation

/// A compiled Cerberus `regex` constraint: Python `re` syntax (Weir's subset), matched like
/// Cerberus 1.3 (`re.match(pattern + '$')` unless the pattern already ends in `$`), except that
/// `$` never matches before a trailing newline.
///
/// Flat patterns run on ``SimpleMatcher``; others on `NSRegularExpression` with a translated pattern.
public final class PythonRegex: @unchecked Sendable {
    /// The pattern as written in the schema.
    public let pattern: String
    let simple: SimpleMatcher?
    let icu: NSRegularExpression?

    /// Compiles `pattern`. - Throws: a message when the pattern is outside the supported subset.
    public init(_ pattern: String) throws(SchemaError) {
        self.pattern = pattern
        let node: RegexNode
        do throws(PyRegexParser.Failure) { node = try PyRegexParser.parse(pattern) } catch {
            throw SchemaError(path: [], rule: "regex", message: "unsupported or invalid pattern '\(pattern)': \(error.message)")
        }
        let requireEnd = !pattern.hasSuffix("$")
        if let s = SimpleMatcher(node, requireEnd: requireEnd) {
            simple = s
            icu = nil
        } else {
            simple = nil
            let translated = "(?:" + ICUTranslator.emit(node) + ")" + (requireEnd ? "\\z" : "")
            do { icu = try NSRegularExpression(pattern: translated) } catch {
                throw SchemaError(path: [], rule: "regex", message: "pattern '\(pattern)' could not be compiled")
            }
        }
    }

    /// Whether the pattern is handled by the allocation-free flat matcher.
    public var usesFastMatcher: Bool { simple != nil }

    /// Whether `text` matches (anchored at the start; at the end unless the pattern ends in `$`,
    /// in which case that `$` anchors it).
    public func matches(_ text: String) -> Bool {
        if let simple { return simple.matches(text) }
        let ns = text as NSString
        return icu!.firstMatch(in: text, options: [.anchored], range: NSRange(location: 0, length: ns.length)) != nil
    }
}
