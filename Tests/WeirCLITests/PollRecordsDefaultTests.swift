import Pipeline
import Testing
@testable import WeirCLI

/// `batch.max_poll_records` defaults to 5,000 with either store (a micro-batch's fixed cost is paid per poll, and
/// with PostgreSQL every lookup is a round trip); a value given in the file wins.
@Suite struct PollRecordsDefaultTests {
    static let url = "postgres://weir@127.0.0.1:5432/weir"

    @Test func bothStoresPollFiveThousandRecordsByDefault() throws {
        let sqlite = try ConfigFile.load("lake:\n  out_dir: /tmp/lake\n")
        #expect(sqlite.pipeline.maxPollRecords == 5_000)
        let postgres = try ConfigFile.load("checkpoint:\n  url: \(Self.url)\n")
        #expect(postgres.pipeline.maxPollRecords == 5_000)
        #expect(PipelineConfig().maxPollRecords == 5_000)
    }

    @Test func aPollNeverHoldsMoreThanOneFlush() throws {
        let small = try ConfigFile.load("lake:\n  flush_rows: 100\n")
        #expect(small.pipeline.pollRecords == 100)
        let large = try ConfigFile.load("lake:\n  flush_rows: 200000\nbatch:\n  max_poll_records: 7000\n")
        #expect(large.pipeline.pollRecords == 7_000)
        #expect(PipelineConfig().pollRecords == 5_000)
    }

    @Test func aGivenValueWinsWithEitherStore() throws {
        let postgres = try ConfigFile.load("checkpoint:\n  url: \(Self.url)\nbatch:\n  max_poll_records: 500\n")
        #expect(postgres.pipeline.maxPollRecords == 500)
        let sqlite = try ConfigFile.load("batch:\n  max_poll_records: 2000\n")
        #expect(sqlite.pipeline.maxPollRecords == 2000)
    }
}
