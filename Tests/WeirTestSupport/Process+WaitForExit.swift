import Foundation

extension Process {
    /// Blocks until the process has exited (its `terminationStatus` is then readable), polling `isRunning` every
    /// 10 ms. Tests use it instead of `waitUntilExit()`: on Linux that call runs the calling thread's run loop and
    /// stores it in the process's weak `runLoop`, which swift-corelibs-foundation's exit callback reads on its
    /// manager thread at the same moment when the child has just been killed, and test tasks call it from whatever
    /// pool thread they resumed on, not the one that launched the child. `isRunning` is set by that callback alone.
    public func waitForExit() {
        while isRunning { usleep(10_000) }
    }
}
