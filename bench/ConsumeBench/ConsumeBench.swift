// bench/consume: a 1,000,000-record consume loop on the embedded cluster, sampling RSS every 100,000 records,
// to show that the Kafka wrapper's memory stays flat (issue 5). Prints a Markdown table.
import Foundation
import Kafka

@main
struct ConsumeBench {
    static func rssMB() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    static func main() async throws {
        let total = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 1_000_000
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let partitions = max(4, total / 80_000)  // stay under the mock broker's per-partition retention cap
        try cluster.createTopic("consume", partitions: partitions)
        // Extra producer properties to compare, e.g. WEIR_BENCH_PRODUCER_PROPS="linger.ms=100".
        var producerExtra: [String: String] = [:]
        for pair in (ProcessInfo.processInfo.environment["WEIR_BENCH_PRODUCER_PROPS"] ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { producerExtra[kv[0]] = kv[1] }
        }
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers, extra: producerExtra))
        let value = Array(#"{"event_id":"e1","ts":"2025-10-28T10:00:00.123456+00:00","usuario_id":7,"accion":"view","monto":null}"#.utf8)
        var batch: [KafkaOutgoingMessage] = []
        for i in 0..<total {
            batch.append(KafkaOutgoingMessage(topic: "consume", key: Array("k\(i)".utf8), value: value))
            if batch.count == 20_000 { _ = try await producer.sendAll(batch); batch = [] }
        }
        if !batch.isEmpty { _ = try await producer.sendAll(batch) }
        await producer.close()

        // Extra librdkafka properties to compare, e.g. WEIR_BENCH_PROPS="fetch.wait.max.ms=10".
        var extra: [String: String] = [:]
        for pair in (ProcessInfo.processInfo.environment["WEIR_BENCH_PROPS"] ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { extra[kv[0]] = kv[1] }
        }
        // WEIR_BENCH_WAKE_MS=0 turns the fetch waker off (librdkafka's own up-to-1-second wait), to compare.
        let wakeMs = ProcessInfo.processInfo.environment["WEIR_BENCH_WAKE_MS"].flatMap(Int64.init) ?? 20
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(
            bootstrapServers: cluster.bootstrapServers, groupId: "consume-bench", sessionTimeout: .seconds(6),
            fetchWakeInterval: wakeMs > 0 ? .milliseconds(wakeMs) : nil, extra: extra))
        try consumer.subscribe(["consume"])
        print("| records consumed | RSS MB | records/s since previous row |")
        print("|---:|---:|---:|")
        var consumed = 0, nextMark = 100_000
        var last = ContinuousClock.now, lastCount = 0
        var started: ContinuousClock.Instant?
        while consumed < total {
            let records = try await consumer.poll(maxRecords: 500, timeout: .seconds(1))
            if started == nil && !records.isEmpty { started = .now; last = .now }
            consumed += records.count
            if consumed >= nextMark || consumed >= total {
                let now = ContinuousClock.now
                let seconds = Double((now - last).components.attoseconds) / 1e18 + Double((now - last).components.seconds)
                print("| \(consumed) | \(String(format: "%.1f", rssMB())) | \(Int(Double(consumed - lastCount) / max(seconds, 0.001))) |")
                last = now; lastCount = consumed
                nextMark += 100_000
            }
        }
        await consumer.close()
    }
}
