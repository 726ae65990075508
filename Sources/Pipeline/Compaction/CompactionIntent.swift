/// Written before the exchange so that a crash before the store update can be finished.
struct CompactionIntent: Codable {
    struct Added: Codable {
        let name: String
        let rows: Int64
        let bytes: Int64
    }
    let partition: String
    let removing: [String]
    let adding: [Added]
}
