import Testing
@testable import WeirCLI

@Suite struct VersionTests {
    @Test func versionNamesWeirAndLibrdkafka() {
        let version = WeirCommand.configuration.version
        #expect(version.contains(WeirVersion.string))
        #expect(version.contains("librdkafka 2."))
    }
}
