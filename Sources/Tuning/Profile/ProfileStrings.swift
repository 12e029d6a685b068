import Foundation

/// The documented character sets of the strings a profile (or an apply option) carries into written files:
/// sysctl.d, limits.d, unit drop-ins and modprobe.d headers, and every rendered template. A value outside them is
/// refused with the file and key named, so no profile text can start a new line or directive in a file root reads.
public enum ProfileStrings {
    /// `name`: 1-64 of ASCII letters, digits, '.', '_' and '-', starting with a letter or digit.
    public static func nameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 64 else { return "must be 1-64 characters" }
        guard
            name.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }),
            let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first)
        else {
            return "may hold ASCII letters, digits, '.', '_' and '-' only, starting with a letter or digit"
        }
        return nil
    }

    /// Free text (`description`, `include`): any printable text on one line, no control characters.
    public static func textProblem(_ text: String) -> String? {
        if let bad = text.unicodeScalars.first(where: isControl) {
            return "control character U+\(String(format: "%04X", bad.value)) is not allowed"
        }
        return nil
    }

    /// A systemd unit name (`--unit`): ASCII letters, digits and ":-_.\@", at most 255, not "." or "..".
    public static func unitNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 255, name != ".", name != "..", !name.hasPrefix(".") else {
            return "not a unit name"
        }
        guard
            name.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ":-_.\\@".unicodeScalars.contains($0))
            })
        else {
            return "a unit name holds ASCII letters, digits and ':-_.\\@' only (systemd.unit(5))"
        }
        return nil
    }

    /// A limits.conf domain (`--user`): a user name, `@group` or `%group` (limits.conf(5)); ASCII letters, digits,
    /// '.', '_' and '-', at most 32 characters after the prefix.
    public static func limitsDomainProblem(_ domain: String) -> String? {
        let body = domain.hasPrefix("@") || domain.hasPrefix("%") ? String(domain.dropFirst()) : domain
        guard !body.isEmpty, body.count <= 32, body != ".", body != "..",
            body.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }),
            !body.hasPrefix("-")
        else {
            return "a user name (or @group) of ASCII letters, digits, '.', '_' and '-' (limits.conf(5))"
        }
        return nil
    }

    /// Checks a resolved profile's strings; throws naming the profile file and the key.
    public static func validate(_ profile: Profile) throws {
        let path = profile.sourcePath ?? "profile \(profile.name.debugDescription)"
        if let why = nameProblem(profile.name) {
            throw ProfileError.invalidValue(
                path: path, line: 0, key: "name", reason: "\(profile.name.debugDescription) \(why)")
        }
        if let why = textProblem(profile.description) {
            throw ProfileError.invalidValue(path: path, line: 0, key: "description", reason: why)
        }
        for inc in profile.includes {
            if let why = nameProblem(inc) {
                throw ProfileError.invalidValue(
                    path: path, line: 0, key: "include", reason: "\(inc.debugDescription) \(why)")
            }
        }
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .control || s.properties.generalCategory == .format
            || s.properties.generalCategory == .lineSeparator || s.properties.generalCategory == .paragraphSeparator
    }
}
