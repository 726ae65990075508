import Foundation
import Pipeline

/// The demo's own lake directory: emptied at start when a previous demo made it (marked by
/// `_weir/demo.marker`), refused when it holds anything else, so a demo never deletes a real lake.
enum DemoLake {
    static func prepare(_ path: String) throws {
        let fm = FileManager.default
        let layout = LakeLayout(root: path)
        let marker = layout.stateDirectory + "/demo.marker"
        if fm.fileExists(atPath: layout.root) {
            let contents = (try? fm.contentsOfDirectory(atPath: layout.root)) ?? []
            if !contents.isEmpty {
                guard fm.fileExists(atPath: marker) else {
                    throw ConfigError(key: "--out-dir", message: "\(layout.root) is not empty and was not made by weir demo",
                                      fix: "choose an empty or new directory for the demo")
                }
                try fm.removeItem(atPath: layout.root)
            }
        }
        // The same checks as `weir run`: a lake that cannot be written is a startup error (exit 2) naming the path.
        try LakeAccess.prepare(layout)
        try layout.createDirectories()
        guard fm.createFile(atPath: marker, contents: Data()) else {
            throw ConfigError(key: "--out-dir", message: "cannot create \(marker)", fix: "choose a directory weir can write to")
        }
    }
}
