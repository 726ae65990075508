import Foundation

/// Finds credentials the way the AWS CLI and SDKs do, in this order:
/// 1. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) in the environment;
/// 2. the profile `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`, else `default`) in the shared credentials file
///    (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`), then in the config file (`AWS_CONFIG_FILE`,
///    else `~/.aws/config`, where the section is `[profile NAME]`, or `[default]`).
/// Not implemented: SSO, `credential_process`, `role_arn` assume-role, web identity and the EC2/ECS metadata
/// services.
public struct CredentialsResolver: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The credentials found, or nil when there are none anywhere (requests are then sent unsigned, which
    /// services with anonymous access accept).
    /// - Throws: ``CredentialsError`` when the environment has half a key pair, a profile named explicitly
    ///   does not exist, or a profile has half a key pair. Messages name the variable, file and profile, never a
    ///   secret.
    public func resolve() throws -> AWSCredentials? {
        let key = nonEmpty("AWS_ACCESS_KEY_ID")
        let secret = nonEmpty("AWS_SECRET_ACCESS_KEY")
        switch (key, secret) {
        case let (key?, secret?):
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: nonEmpty("AWS_SESSION_TOKEN"),
                                  source: "environment")
        case (_?, nil):
            throw CredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither to use a profile")
        case (nil, _?):
            throw CredentialsError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither to use a profile")
        case (nil, nil):
            break
        }
        let explicitProfile = nonEmpty("AWS_PROFILE") ?? nonEmpty("AWS_DEFAULT_PROFILE")
        let profile = explicitProfile ?? "default"
        let home = nonEmpty("HOME") ?? NSHomeDirectory()
        let credentialsPath = nonEmpty("AWS_SHARED_CREDENTIALS_FILE").map(expandTilde) ?? home + "/.aws/credentials"
        let configPath = nonEmpty("AWS_CONFIG_FILE").map(expandTilde) ?? home + "/.aws/config"

        if let found = try lookUp(profile, section: profile, in: credentialsPath) { return found }
        let configSection = profile == "default" ? "default" : "profile \(profile)"
        if let found = try lookUp(profile, section: configSection, in: configPath) { return found }
        if let explicitProfile {
            throw CredentialsError("profile '\(explicitProfile)' (from AWS_PROFILE) has no credentials in \(credentialsPath) or \(configPath): add aws_access_key_id and aws_secret_access_key to it, or unset AWS_PROFILE")
        }
        return nil
    }

    private func lookUp(_ profile: String, section: String, in path: String) throws -> AWSCredentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let file = SharedConfigFile(parsing: String(decoding: data, as: UTF8.self))
        guard let values = file.sections[section] else { return nil }
        let key = values["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = values["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        switch (key, secret) {
        case let (key?, secret?):
            let token = values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token,
                                  source: "profile '\(profile)' in \(path)")
        case (nil, nil):
            return nil
        default:
            let missing = key == nil ? "aws_access_key_id" : "aws_secret_access_key"
            throw CredentialsError("profile '\(profile)' in \(path) lacks \(missing): add it, or remove the other key")
        }
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    private func expandTilde(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return (nonEmpty("HOME") ?? NSHomeDirectory()) + path.dropFirst()
    }
}

/// Credentials could not be resolved. The message names the variable, file or profile and the fix.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { "weir: AWS credentials: \(message)" }
}
