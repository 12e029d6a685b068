import Foundation
import HostFacts

/// `--log-connections`: one JSON line per connect and disconnect on standard output, written with a single
/// write(2) so lines from different event loops never interleave. Never one line per message.
enum ConnectionLog {
    static func connect(id: Int, remote: String, path: String) {
        emit(
            "{\"event\":\"connect\",\"id\":\(id),\"remote\":\(quote(remote)),\"path\":\(quote(path)),\"time\":\(quote(now()))}"
        )
    }

    static func disconnect(id: Int, remote: String, path: String, durationMilliseconds: Int, closeCode: UInt16?) {
        let code = closeCode.map { String($0) } ?? "null"
        emit(
            "{\"event\":\"disconnect\",\"id\":\(id),\"remote\":\(quote(remote)),\"path\":\(quote(path)),"
                + "\"duration_ms\":\(durationMilliseconds),\"close_code\":\(code),\"time\":\(quote(now()))}")
    }

    private static func emit(_ line: String) {
        // A lost log line is not worth stopping the server for (stdout closed, a full disk).
        Array((line + "\n").utf8).withUnsafeBytes { try? Syscall.writeAll(STDOUT_FILENO, $0) }
    }

    private static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1,
            Int(tmv.tm_mday), Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec), Int(ts.tv_nsec / 1_000_000))
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
