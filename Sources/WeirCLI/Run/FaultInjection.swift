import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test-only fault hook for the crash test: `WEIR_FAULT_KILL_AT=staged|stored|cataloged|published` (`cataloged`:
/// after an Iceberg REST catalog commit, before the files are marked published) with
/// `WEIR_FAULT_KILL_PROBABILITY` (default 1) makes the process SIGKILL itself at that step of a commit;
/// `WEIR_FAULT_STOP_AT=step` makes it SIGSTOP itself there, once (a zombie in the making: the test resumes it
/// with SIGCONT after another instance took over); `WEIR_FAULT_DELAY_AT=step` with `WEIR_FAULT_DELAY_MS` (default
/// 200) makes every commit wait there (e.g. `staged`: between planning an Iceberg snapshot and the store
/// transaction, so that two writers' commits overlap). Never set in production; it exists to prove the commit
/// protocol's recovery and its conflict handling.
enum FaultInjection {
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> (@Sendable (String) -> Void)? {
        let fault = signalHook(env)
        guard let step = env["WEIR_FAULT_DELAY_AT"], !step.isEmpty else { return fault }
        let micros = useconds_t(max(0, env["WEIR_FAULT_DELAY_MS"].flatMap(Int.init) ?? 200) * 1000)
        return { current in
            if current == step { usleep(micros) }
            fault?(current)
        }
    }

    private static func signalHook(_ env: [String: String]) -> (@Sendable (String) -> Void)? {
        if let step = env["WEIR_FAULT_STOP_AT"], !step.isEmpty {
            let stopped = StopOnce()
            return { current in
                guard current == step, stopped.first() else { return }
                FileHandle.standardError.write(Data("weir: fault injection: SIGSTOP at commit step '\(step)'\n".utf8))
                kill(getpid(), SIGSTOP)
            }
        }
        guard let steps = env["WEIR_FAULT_KILL_AT"], !steps.isEmpty else { return nil }
        let targets = Set(steps.split(separator: ",").map(String.init))
        let probability = env["WEIR_FAULT_KILL_PROBABILITY"].flatMap(Double.init) ?? 1
        return { step in
            guard targets.contains(step), Double.random(in: 0..<1) < probability else { return }
            FileHandle.standardError.write(Data("weir: fault injection: SIGKILL at commit step '\(step)'\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
}

/// True on the first call only.
private final class StopOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func first() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}
