import Dispatch
import Foundation
import Reference

/// On SIGINT or SIGTERM during a check, stops the servers and load workers it started, then exits 130/143:
/// a check never leaves children behind.
final class CheckInterruptGuard {
    private var sources: [DispatchSourceSignal] = []

    init(runner: CheckRunner) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                runner.abort()
                exit(128 + sig)
            }
            s.resume()
            sources.append(s)
        }
    }

    func release() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
