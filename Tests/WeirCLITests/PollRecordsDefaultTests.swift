import Testing
@testable import WeirCLI

/// `batch.max_poll_records` defaults to 500 with the SQLite store and to 5,000 with a PostgreSQL store
/// (`checkpoint.url`), whose every per-poll lookup is a round trip; a value given in the file wins either way.
@Suite struct PollRecordsDefaultTests {
    static let url = "postgres://weir@127.0.0.1:5432/weir"

    @Test func theSQLiteStoreKeepsTheDefault() throws {
        let config = try ConfigFile.load("lake:\n  out_dir: /tmp/lake\n")
        #expect(config.runnerPipeline.maxPollRecords == 500)
    }

    @Test func aPostgresStorePollsMoreAtATime() throws {
        let fromFile = try ConfigFile.load("checkpoint:\n  url: \(Self.url)\n")
        #expect(fromFile.runnerPipeline.maxPollRecords == WeirConfig.sharedStorePollRecords)
        let fromEnvironment = try ConfigFile.load("lake:\n  out_dir: /tmp/lake\n", environment: ["WEIR_CHECKPOINT_URL": Self.url])
        #expect(fromEnvironment.runnerPipeline.maxPollRecords == WeirConfig.sharedStorePollRecords)
    }

    @Test func aGivenValueWinsWithEitherStore() throws {
        let postgres = try ConfigFile.load("checkpoint:\n  url: \(Self.url)\nbatch:\n  max_poll_records: 500\n")
        #expect(postgres.runnerPipeline.maxPollRecords == 500)
        let sqlite = try ConfigFile.load("batch:\n  max_poll_records: 2000\n")
        #expect(sqlite.runnerPipeline.maxPollRecords == 2000)
    }
}
