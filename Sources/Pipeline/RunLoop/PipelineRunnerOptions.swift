extension PipelineRunner {
    /// How a run ends and how hard a commit tries; everything else comes from `PipelineConfig`.
    public struct Options: Sendable {
        /// Exit after this long without records, having committed everything, once no partition of the topic is
        /// left unread (`--until-idle`; see `IdleExit`). nil: run forever.
        public var untilIdle: Duration?
        /// Exit after this many records have been committed (tests, demo). nil: no limit.
        public var stopAfterRecords: Int?
        /// Fail when no partition has been assigned this long after start (unreachable brokers, missing topic).
        /// nil: wait forever.
        public var assignmentTimeout: Duration?
        /// How many store transactions a commit tries when instances sharing the lake land some of its dedup keys
        /// first (`DedupRace`): each retry drops just those rows. Past it the commit is refused and its batch read
        /// again. Default 3.
        public var dedupRaceAttempts = 3
        /// With `untilIdle`: how long partitions held by other members with unread records keep an idle run going
        /// when no rebalance hands them over (`IdleExit.othersLimit`). nil: until they are read.
        public var unreadElsewhereLimit: Duration?
        /// With `untilIdle`: how long the exit condition must keep holding (`IdleExit.confirmation`; for a consumer
        /// group, longer than the heartbeat interval, so a rebalance already under way is seen). Default zero.
        public var idleConfirmation: Duration
        public init(untilIdle: Duration? = nil, stopAfterRecords: Int? = nil, assignmentTimeout: Duration? = nil,
                    unreadElsewhereLimit: Duration? = nil, idleConfirmation: Duration = .zero) {
            self.assignmentTimeout = assignmentTimeout
            self.unreadElsewhereLimit = unreadElsewhereLimit
            self.idleConfirmation = idleConfirmation
            self.untilIdle = untilIdle
            self.stopAfterRecords = stopAfterRecords
        }
    }
}
