/// RFC 6455 §7.4 status codes the server sends, and the rule for codes a peer may send.
public enum WebSocketCloseCode {
    public static let normal: UInt16 = 1000
    public static let goingAway: UInt16 = 1001
    public static let protocolError: UInt16 = 1002
    public static let invalidPayload: UInt16 = 1007
    public static let policyViolation: UInt16 = 1008
    public static let messageTooBig: UInt16 = 1009
    public static let internalError: UInt16 = 1011

    /// Whether a peer may put `code` in a close frame (RFC 6455 §7.4.1, §7.4.2 and the IANA registry):
    /// 1004, 1005, 1006 and 1015 are reserved for local use and never sent; 1000–2999 beyond the
    /// registered ones are reserved; 3000–4999 are for libraries and applications.
    public static func isValidOnTheWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014: return true
        case 3000...4999: return true
        default: return false
        }
    }
}
