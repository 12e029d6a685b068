import Foundation
import Tuning

/// The plan as a readable diff: one line per setting (live → target, with the boot value), then each file's
/// changed lines, warnings and notes; and the result of applying it.
struct ApplyRenderer {
    let terminal: Terminal

    func render(_ plan: TuningPlan) -> String {
        var out: [String] = []
        var head =
            terminal.paint("wstune apply", .bold)
            + " — profile \(plan.profile), target \(grouped(plan.connections)) connections"
        if plan.liveRoot != "/" { head += ", root \(plan.liveRoot)" }
        if plan.filesRoot != plan.liveRoot { head += ", files under \(plan.filesRoot)" }
        if plan.exact { head += ", --exact" }
        out.append(head)
        out.append("")
        out.append(
            terminal.paint("Settings", .bold)
                + "  (~ set live and persist, + persist only, = keep, ! cannot set here, - absent)")
        let w = plan.items.map(\.id.count).max() ?? 0
        let lw = min(plan.items.map { ($0.live ?? "(empty)").count }.max() ?? 0, 24)
        for item in plan.items {
            let id = item.id.padding(toLength: w, withPad: " ", startingAt: 0)
            let live = item.live.map { $0.isEmpty ? "(empty)" : $0 } ?? "—"
            let livePadded = live.count < lw ? live.padding(toLength: lw, withPad: " ", startingAt: 0) : live
            let line: String
            switch item.action {
            case .set:
                let change = "\(live) → \(item.target ?? "?")"
                let padded = change.count < lw ? change.padding(toLength: lw, withPad: " ", startingAt: 0) : change
                line =
                    terminal.paint("  ~ \(id)  \(padded)", .yellow)
                    + "   need \(item.need); boot: \(item.persisted ?? "—")"
            case .persist:
                line =
                    terminal.paint("  + \(id)  \(livePadded)", .cyan)
                    + "   persist \(item.target ?? live); need \(item.need); boot: \(item.persisted ?? "—")"
            case .keep:
                line =
                    "  = \(id)  \(livePadded)   need \(item.need)"
                    + (item.file != nil ? " (persisted by \(item.file!))" : "")
            case .global:
                line =
                    terminal.paint("  ! \(id)  \(livePadded)", .magenta)
                    + "   need \(item.need): \(item.note ?? item.action.rawValue)"
            case .absent:
                line = terminal.paint("  - \(id)", .dim) + "   \(item.note ?? "absent")"
            }
            out.append(line)
        }
        if !plan.files.isEmpty {
            out.append("")
            out.append(terminal.paint("Files", .bold))
            for f in plan.files {
                if !f.changed {
                    out.append("  = \(f.path) (unchanged)")
                    continue
                }
                out.append(
                    terminal.paint(f.previous == nil ? "  + \(f.path) (new, mode 0644)" : "  ~ \(f.path)", .yellow))
                out += lineDiff(old: f.previousText ?? "", new: f.contentText).map { "      " + $0 }
            }
        }
        if !plan.warnings.isEmpty {
            out.append("")
            out.append(terminal.paint("Warnings", .bold))
            out += plan.warnings.map { terminal.paint("  ! ", .red) + $0 }
        }
        if !plan.notes.isEmpty {
            out.append("")
            out += plan.notes.map { "Note: \($0)" }
        }
        if plan.daemonReload { out.append("Then: systemctl daemon-reload") }
        out.append("")
        return out.joined(separator: "\n")
    }

    func render(_ result: Applier.Result, plan: TuningPlan, undo: String) -> String {
        if let f = result.failure {
            var out = [terminal.paint("FAILED", .red) + " at \(f.step): \(f.error)"]
            if let r = result.restore {
                if !r.restoredLive.isEmpty { out.append("Restored live: \(r.restoredLive.joined(separator: ", "))") }
                if !r.restoredFiles.isEmpty { out.append("Restored files: \(r.restoredFiles.joined(separator: ", "))") }
            }
            out.append("Journal: \(result.entry.id) (\(result.entry.state.rawValue))")
            if result.entry.isUndoable { out.append("Undo: \(undo)") }
            return out.joined(separator: "\n")
        }
        var out = [
            terminal.paint("Applied", .green)
                + ": \(plan.liveChanges.count) live value(s) written and read back, \(plan.changedFiles.count) file(s) written. Journal \(result.entry.id)."
        ]
        if let e = result.daemonReloadError {
            out.append(terminal.paint("Warning: ", .red) + e + " (run systemctl daemon-reload yourself)")
        }
        out.append("Undo: \(undo)")
        return out.joined(separator: "\n")
    }

    /// Changed lines of a file, in order: "- old" and "+ new" (stdlib's CollectionDifference, an LCS diff).
    func lineDiff(old: String, new: String) -> [String] {
        let a = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let diff = b.difference(from: a)
        var removed = Set<Int>(), inserted = Set<Int>()
        for c in diff {
            switch c {
            case .remove(let o, _, _): removed.insert(o)
            case .insert(let o, _, _): inserted.insert(o)
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && removed.contains(i) {
                out.append(terminal.paint("- " + a[i], .red)); i += 1
            } else if j < b.count && inserted.contains(j) {
                if !b[j].isEmpty { out.append(terminal.paint("+ " + b[j], .green)) }
                j += 1
            } else {
                i += 1; j += 1
            }
        }
        return out
    }
}
