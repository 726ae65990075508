import Testing
@testable import WeirCLI
import Pipeline

/// An unknown key is refused with every unknown key of its mapping named at once, and a likely misspelling gets
/// the key it was probably meant to be.
@Suite struct UnknownKeyConfigTests {
    @Test func everyUnknownKeyOfAMappingIsNamed() throws {
        do {
            _ = try ConfigFile.load("batch:\n  max_pol_records: 10\n  max_wiat: 2s\n  colour: blue\n")
            Issue.record("unknown keys were accepted")
        } catch let error as ConfigError {
            #expect(error.key == "batch.colour", "\(error)")
            #expect(error.message.contains("batch.max_pol_records") && error.message.contains("batch.max_wiat"), "\(error)")
            #expect(error.fix.contains("batch.max_poll_records (for batch.max_pol_records)"), "\(error)")
            #expect(error.fix.contains("batch.max_wait (for batch.max_wiat)"), "\(error)")
            #expect(!error.fix.contains("(for batch.colour)"), "\(error)")
        }
    }

    @Test func aSingleUnknownKeyKeepsTheShortMessage() throws {
        do {
            _ = try ConfigFile.load("lake:\n  flush_row: 10\n")
            Issue.record("an unknown key was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "lake.flush_row" && error.message == "unknown key", "\(error)")
            #expect(error.fix.hasPrefix("did you mean lake.flush_rows? remove it"), "\(error)")
        }
    }

    @Test func anErrorFoundWhileReadingTheFileNamesTheFile() throws {
        do {
            _ = try ConfigFile.load("batch:\n  max_poll_records: lots\n")
            Issue.record("a bad value was accepted")
        } catch let error as ConfigError {
            let file = try #require(error.file, "\(error)")
            #expect(file.hasSuffix("/weir.yaml"), "\(error)")
            #expect(error.description.hasPrefix("invalid configuration: \(file): batch.max_poll_records: 'lots' is not"), "\(error)")
        }
        // A YAML syntax error names the file once, as its key.
        do {
            _ = try ConfigFile.load("kafka: [\n")
            Issue.record("broken YAML was accepted")
        } catch let error as ConfigError {
            #expect(error.file == nil && error.key.hasSuffix("/weir.yaml") && error.message.hasPrefix("not valid YAML"), "\(error)")
        }
    }

    @Test func spellingSuggestionsAreUnambiguousAndClose() {
        #expect(KeySpelling.closest(to: "flush_row", among: ["flush_rows", "flush_bytes"]) == "flush_rows")
        #expect(KeySpelling.closest(to: "Out_Dir", among: ["out_dir"]) == "out_dir")
        #expect(KeySpelling.closest(to: "compressionlevel", among: ["compression"]) == nil)
        #expect(KeySpelling.closest(to: "ab", among: ["ac", "ad"]) == nil)
        #expect(KeySpelling.distance("kitten", "sitting") == 3)
    }
}
