import Foundation

/// The crash tests' kill loop: `weir run` is started again and again until it was SIGKILLed at least 20 times, at
/// least 3 of them inside a commit. The first runs carry the fault hook and are left to kill themselves inside a
/// commit (up to `faultWait` each); the later ones are killed by the test after a random `randomWaitMs`
/// (during joins, polls, flushes or commits). At most 60 runs.
enum CrashKillLoop {
    struct Outcome {
        var kills = 0
        var commitKills = 0
        var runs = 0
        /// The output of the last three runs, for a failure message.
        var lastOutputs: [String] = []
    }

    /// - Parameter start: starts one run; its argument says whether the run carries the fault hook.
    static func run(faultWait: Duration, randomWaitMs: ClosedRange<Int64>,
                    start: (_ fault: Bool) throws -> ChildProcess) async throws -> Outcome {
        var outcome = Outcome()
        while (outcome.kills < 20 || outcome.commitKills < 3) && outcome.runs < 60 {
            outcome.runs += 1
            let fault = outcome.commitKills < 3
            let child = try start(fault)
            let deadline = ContinuousClock.now + (fault ? faultWait : .milliseconds(Int64.random(in: randomWaitMs)))
            while child.process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if child.process.isRunning { child.kill() }
            await child.wait()
            if child.stderr.contains("fault injection: SIGKILL") { outcome.commitKills += 1 }
            if child.wasKilled { outcome.kills += 1 }
            outcome.lastOutputs = Array((outcome.lastOutputs + [child.output("run \(outcome.runs)", limit: 1500)]).suffix(3))
        }
        return outcome
    }
}
