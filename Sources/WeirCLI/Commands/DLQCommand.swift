import ArgumentParser
import EventSchema
import Foundation
import Kafka
import Pipeline

/// `weir dlq replay`.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Work with the dead-letter queue.", subcommands: [DLQReplayCommand.self])
}

struct DLQReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-validate dead-lettered events with a (newer) schema and produce those that pass to the source topic.",
        discussion: """
            Events that still fail stay in the DLQ and are counted by reason. Replaying twice resends nothing: a \
            topic replay commits its consumer group after each acknowledged produce; a file replay records the \
            (file, line) it sent in OUT_DIR/_weir/dlq-replay.ledger. The lake's dedup drops any event seen before.
            """)

    @OptionGroup var lake: LakeOptions
    @Option(name: .long, help: "Read the DLQ from this Kafka topic.")
    var fromTopic: String?
    @Option(name: .long, help: "Read the DLQ from the JSON Lines files under this directory (e.g. OUT_DIR/_dlq).")
    var fromDir: String?
    @Option(name: .long, help: "Cerberus schema to re-validate with (default: schema.file).")
    var schema: String?
    @OptionGroup var kafka: KafkaOptions
    @Option(name: .long, help: "The source topic to produce replayed events to (default: kafka.topic).")
    var toTopic: String?
    @Option(name: [.customLong("group-id"), .customLong("group")],
            help: ArgumentHelp("Consumer group that records a --from-topic replay's progress (not the pipeline's kafka.group_id).",
                               discussion: """
                                   A replay starts after the DLQ records this group has already handled (replayed or \
                                   found still failing), and commits its offsets after each acknowledged produce, so a \
                                   second replay with the same group resends nothing. Use a new group to look at every \
                                   DLQ record again, e.g. after another schema change. Ignored with --from-dir, whose \
                                   progress is the ledger.
                                   """))
    var groupId: String = "weir-dlq-replay"
    @Option(name: .long, help: "Ledger of replayed file lines (default: OUT_DIR/_weir/dlq-replay.ledger; batches are recorded under <ledger>.d/).")
    var ledger: String?

    func validate() throws {
        guard (fromTopic == nil) != (fromDir == nil) else { throw ValidationError("give exactly one of --from-topic and --from-dir") }
    }

    func run() async throws {
        let config = try await failOnConfigError {
            try lake.load { config in
                try kafka.apply(to: &config)
                if let schema { config.setSchemaFile(schema, from: "--schema") }
            }
        }
        try await failOnConfigError { try await KafkaStartup.ensureReachable(config) }
        let eventSchema = try await failOnConfigError { try PipelineAssembly.loadSchema(config) }
        let target = toTopic ?? config.pipeline.topic
        let replayer = DeadLetterReplayer(schema: eventSchema, limits: JSONLimits(maxDepth: config.pipeline.maxDepth,
                                                                                   maxBytes: config.pipeline.maxMessageBytes))
        let producer = try await failOnConfigError {
            try KafkaStartup.producer(KafkaProducerConfig(
                bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-dlq-replay", extra: config.kafkaProperties))
        }
        let send: ([ReplayCandidate]) async throws -> Void = { batch in
            _ = try await producer.sendAll(batch.map {
                KafkaOutgoingMessage(topic: target, key: $0.key, value: $0.payload,
                                     headers: [KafkaHeader(key: "weir.replayed_from", value: Array($0.origin.utf8))])
            })
        }
        let report: ReplayReport
        if let fromTopic {
            report = try await replayer.replayTopic(topic: fromTopic, bootstrapServers: config.bootstrapServers, groupId: groupId,
                                                    properties: config.kafkaProperties, send: send)
        } else {
            let layout = config.lakeLayout()
            let (lakeStorage, storage, prefix) = try await failOnConfigError { () throws -> (Storage, Storage, String) in
                let lakeStorage = try LakeStorage.open(layout, config: config)
                let dir = S3Location.isObjectStore(fromDir!) ? S3Location.parse(fromDir!)?.description ?? fromDir!
                    : URL(fileURLWithPath: fromDir!).standardizedFileURL.path
                // A DLQ inside the lake is read through the lake's storage; any other location on its own.
                if dir.hasPrefix(layout.root + "/") && lakeStorage.exists(layout.name(ofPath: dir)) {
                    return (lakeStorage, lakeStorage, layout.name(ofPath: dir))
                }
                let located = try LakeStorage.locate(dir, config: config, what: "--from-dir", fix: "give the file DLQ's directory, e.g. OUT_DIR/_dlq")
                return (lakeStorage, located.storage, located.name)
            }
            let ledgerStore: ReplayLedger
            if let ledger {
                let path = URL(fileURLWithPath: ledger).standardizedFileURL.path
                let parent = (path as NSString).deletingLastPathComponent
                ledgerStore = ReplayLedger(storage: POSIXStorage(root: parent, lockDirectory: parent), name: (path as NSString).lastPathComponent)
            } else {
                ledgerStore = ReplayLedger(storage: lakeStorage, name: "_weir/dlq-replay.ledger")
            }
            report = try await replayer.replayFiles(storage: storage, prefix: prefix, ledger: ledgerStore, send: send)
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
        print(report.render())
    }
}
