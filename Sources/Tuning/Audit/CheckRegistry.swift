/// Every audit check, in report order. Adding a check: one file in Checks/ and one line here.
public enum CheckRegistry {
    public static let all: [any Check] = [
        FdSoftLimitCheck(), FdHardLimitCheck(), LimitsConfCheck(), NrOpenCheck(), FileMaxCheck(), FileNrCheck(),
        SomaxconnCheck(), SynBacklogCheck(), NetdevBacklogCheck(), ReservedPortsCheck(), EphemeralRangeCheck(),
        TwReuseCheck(), KeepaliveCheck(), TcpMemCheck(), MemoryPressureCheck(), ConntrackMaxCheck(),
        ConntrackBucketsCheck(), ConntrackUsageCheck(), ConntrackDropsCheck(), ConntrackBootOrderCheck(),
        ListenDropsCheck(), PersistedCheck(), OverriddenCheck(), MemoryBudgetCheck(),
    ]

    public static var ids: [String] { all.map(\.id) }
}
