import Foundation
import Testing
@testable import ObjectStore

@Suite struct CredentialsTests {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    let token = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"

    @Test func environmentKeysComeFirst() throws {
        let dir = try TemporaryDirectory()
        try dir.write("credentials", "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = filesecret\n")
        let resolved = try CredentialsResolver(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
            "AWS_SHARED_CREDENTIALS_FILE": dir.path("credentials"), "HOME": dir.url.path,
        ]).resolve()
        #expect(resolved == AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: secret, sessionToken: token,
                                           source: "environment"))
    }

    @Test func halfAKeyPairIsAnErrorNamingTheMissingVariable() {
        let error = #expect(throws: CredentialsError.self) {
            try CredentialsResolver(environment: ["AWS_ACCESS_KEY_ID": "AKID", "HOME": "/nonexistent"]).resolve()
        }
        #expect(error?.description.contains("AWS_SECRET_ACCESS_KEY is not") == true)
        #expect(error?.description.hasPrefix("weir:") == true)
    }

    @Test func profileFromTheSharedCredentialsFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("creds", """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            [dev]
            aws_access_key_id=DEVKEY
            aws_secret_access_key = \(secret) ; trailing comment
            aws_session_token = \(token)
            """)
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": dir.path("creds"), "HOME": dir.url.path]
        let fallback = try CredentialsResolver(environment: environment).resolve()
        #expect(fallback?.accessKeyId == "DEFAULTKEY")
        var withProfile = environment
        withProfile["AWS_PROFILE"] = "dev"
        let dev = try CredentialsResolver(environment: withProfile).resolve()
        #expect(dev == AWSCredentials(accessKeyId: "DEVKEY", secretAccessKey: secret, sessionToken: token,
                                      source: "profile 'dev' in \(dir.path("creds"))"))
    }

    @Test func homeDirectoryFilesAndTheConfigFileProfileSection() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try dir.write(".aws/credentials", "[default]\naws_access_key_id = HOMEKEY\naws_secret_access_key = s\n")
        try dir.write(".aws/config", "[profile ci]\nregion = eu-west-1\naws_access_key_id = CIKEY\naws_secret_access_key = c\n")
        #expect(try CredentialsResolver(environment: ["HOME": dir.url.path]).resolve()?.accessKeyId == "HOMEKEY")
        #expect(try CredentialsResolver(environment: ["HOME": dir.url.path, "AWS_PROFILE": "ci"]).resolve()?.accessKeyId
            == "CIKEY")
    }

    @Test func aMissingNamedProfileIsAnErrorAndNoCredentialsAtAllIsAnonymous() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: CredentialsError.self) {
            try CredentialsResolver(environment: ["HOME": dir.url.path, "AWS_PROFILE": "prod"]).resolve()
        }
        #expect(error?.description.contains("profile 'prod'") == true)
        #expect(error?.description.contains("AWS_PROFILE") == true)
        #expect(try CredentialsResolver(environment: ["HOME": dir.url.path]).resolve() == nil)
    }

    @Test func aProfileWithHalfAKeyPairNamesTheMissingKeyButNotTheSecret() throws {
        let dir = try TemporaryDirectory()
        try dir.write("creds", "[default]\naws_secret_access_key = \(secret)\n")
        let error = #expect(throws: CredentialsError.self) {
            try CredentialsResolver(environment: ["HOME": dir.url.path, "AWS_SHARED_CREDENTIALS_FILE": dir.path("creds")])
                .resolve()
        }
        #expect(error?.description.contains("lacks aws_access_key_id") == true)
        #expect(error?.description.contains(secret) == false)
    }

    @Test func printingCredentialsNeverShowsTheSecretOrTheToken() {
        let credentials = AWSCredentials(accessKeyId: "AKIDSHOWN", secretAccessKey: secret, sessionToken: token)
        var dumped = ""
        dump(credentials, to: &dumped)
        let renderings = ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped,
                          "\([credentials])", "\(Optional(credentials) as Any)"]
        for text in renderings {
            #expect(text.contains("AKIDSHOWN"), "\(text)")
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains(token), "\(text)")
        }
    }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("weir-objectstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }
}
