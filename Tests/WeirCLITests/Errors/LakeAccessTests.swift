import Foundation
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// `LakeAccess.prepare` creates what a run writes to before the first commit needs it.
@Suite struct LakeAccessTests {
    @Test func aCheckpointPathOutsideTheLakeGetsItsDirectoryCreated() throws {
        let dir = TestDirectories.make("lake-access")
        defer { TestDirectories.remove(dir) }
        let store = dir + "/state/nested/checkpoint.sqlite"
        try LakeAccess.prepare(LakeLayout(root: dir + "/lake", checkpointPath: store))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir + "/state/nested", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(FileManager.default.fileExists(atPath: dir + "/lake/_weir"))
    }
}
