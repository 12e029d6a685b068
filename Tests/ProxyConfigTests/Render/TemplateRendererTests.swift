import Foundation
import XCTest

@testable import ProxyConfig

final class TemplateRendererTests: XCTestCase {
    private var dirs: [URL] = []

    override func tearDown() {
        for d in dirs { try? FileManager.default.removeItem(at: d) }
    }

    private func dir(_ files: [String: String]) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("wst-tpl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: d.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        dirs.append(d)
        return d
    }

    func testUnknownVariableInASkippedSectionIsAnErrorNamingFileAndLine() throws {
        let d = try dir(["t.mustache": "a {{known}}\n{{#flag}}\nx {{typo}}\n{{/flag}}\n"])
        let r = TemplateRenderer(directories: [d.path])
        XCTAssertThrowsError(try r.render("t", context: ["known": 1, "flag": false])) { error in
            XCTAssertEqual(
                error as? RenderError,
                .unknownVariable(file: d.appendingPathComponent("t.mustache").path, line: 3, name: "typo"))
        }
    }

    func testKnownVariablesRenderAndTextIsNotHTMLEscaped() throws {
        let d = try dir(["t.mustache": "v {{v}};\n{{#items}}\n- {{name}} of {{outer}}\n{{/items}}\n"])
        let out = try TemplateRenderer(directories: [d.path]).render(
            "t", context: ["v": "a \"b\" <c> & d", "outer": 7, "items": [["name": "x"], ["name": "y"]]])
        XCTAssertEqual(out, "v a \"b\" <c> & d;\n- x of 7\n- y of 7\n")
    }

    func testUnknownPartialAndUnclosedSectionAreErrors() throws {
        let d = try dir(["p.mustache": "{{> nope}}\n", "s.mustache": "{{#a}}x\n"])
        let r = TemplateRenderer(directories: [d.path])
        XCTAssertThrowsError(try r.render("p", context: [:])) { error in
            XCTAssertEqual(
                error as? RenderError,
                .unknownPartial(file: d.appendingPathComponent("p.mustache").path, line: 1, name: "nope"))
        }
        XCTAssertThrowsError(try r.render("s", context: ["a": true])) { error in
            guard case .templateSyntax? = error as? RenderError else { return XCTFail("\(error)") }
        }
    }

    func testOverrideDirectoryWinsPerFile() throws {
        let base = try dir(["main.mustache": "base {{> part}}\n", "part.mustache": "base-part"])
        let over = try dir(["part.mustache": "override-part {{x}}"])
        let out = try TemplateRenderer(directories: [over.path, base.path]).render("main", context: ["x": 1])
        XCTAssertEqual(out, "base override-part 1\n")
    }

    func testShippedTemplatesNeedEveryVariableTheyUse() throws {
        // A context missing one variable the shipped nginx site uses must fail, not render a blank.
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("templates").path
        let r = TemplateRenderer(directories: [templates])
        var context = TemplateContext.build(
            profile: .init(name: "t", connections: .init(10, .derived)),
            options: RenderOptions(),
            sizing: ProxySizing(
                profile: .init(name: "t", connections: .init(10, .derived)),
                options: RenderOptions(), cpuCount: 1))
        XCTAssertNoThrow(try r.render("nginx-site", context: context))
        context.removeValue(forKey: "idle_timeout_seconds")
        XCTAssertThrowsError(try r.render("nginx-site", context: context)) { error in
            guard case .unknownVariable(let file, _, "idle_timeout_seconds")? = error as? RenderError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(file.hasSuffix("nginx-proxy-headers.mustache"))
        }
    }
}
