import Foundation
import Yams

/// A YAML parse error as one line for an error message: where (line and column, from 1), what, and the construct
/// being read, e.g. `line 3, column 4: did not find expected ',' or '}' (while parsing a flow mapping at line 2,
/// column 6)`. Yams' own description spans several lines (a snippet of the text and a caret), which breaks a
/// one-line `weir: …` error.
public enum YAMLErrorText {
    /// The one-line text of `error`, a Yams error or any other (its description, lines joined).
    public static func oneLine(_ error: Error) -> String {
        guard let yaml = error as? YamlError else { return joined(String(describing: error)) }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let around = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(around)"
        case let .reader(problem, offset, _, _):
            return offset.map { "byte \($0): \(problem)" } ?? problem
        default:
            return joined(yaml.description)
        }
    }

    private static func joined(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
