/// An audit finding's `observed` value as `--json` carries it: a number, or a text where the value is not one.
public enum ObservedValue: Decodable, Equatable, Sendable {
    case number(Int)
    case text(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            self = .number(n)
        } else {
            self = .text(try c.decode(String.self))
        }
    }
}
