/// One `Key=value` of a unit file or drop-in, with its section and where it was written.
public struct UnitSetting: Sendable, Equatable {
    public var section: String
    public var key: String
    public var value: String
    public var location: SourceLocation

    public init(section: String, key: String, value: String, location: SourceLocation) {
        self.section = section
        self.key = key
        self.value = value
        self.location = location
    }
}
