import Testing
@testable import WeirCLI
@testable import Pipeline

/// The fix a REST catalog's startup failure gets depends on what the catalog answered (pure).
@Suite struct RestCatalogFixTests {
    private func failure(_ status: Int?) -> RestCatalogError {
        RestCatalogError(uri: "http://127.0.0.1:8181", operation: "load the table", status: status, message: "m", mayHaveApplied: false)
    }

    @Test func eachAnswerGetsItsOwnFix() {
        #expect(PipelineAssembly.restCatalogFix(failure(nil), warehouse: nil).hasPrefix("start the catalog"))
        #expect(PipelineAssembly.restCatalogFix(failure(401), warehouse: nil).contains("WEIR_ICEBERG_CREDENTIAL"))
        let missing = PipelineAssembly.restCatalogFix(failure(404), warehouse: "s3://lake")
        #expect(missing.contains("lake.iceberg.warehouse (now s3://lake)"), "\(missing)")
        #expect(missing.contains("bucket exists"), "a catalog still creating its bucket answers 404 too: \(missing)")
        #expect(PipelineAssembly.restCatalogFix(failure(500), warehouse: nil).contains("catalog's own log"))
    }
}
