import ArgumentParser
import Foundation
import FulgurSupport

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render line charts from a JSON spec to SVG (the figure scripts use it; docs/figures.md).")

    @Option(help: "Spec file: {\"columns\", \"plots\": [{\"title\", \"x_label\", \"y_label\", \"log_y\", \"series\": [{\"name\", \"points\"}]}]}.")
    var spec: String
    @Option(help: "SVG file to write.") var out: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: spec) else { throw FileError(spec, "cannot read") }
        let json: JSONValue
        do { json = try JSONDecoder().decode(JSONValue.self, from: data) } catch { throw FileError(spec, Files.describe(error)) }
        let (plots, columns) = try SVGPlot.plots(spec: json, file: spec)
        try Files.writeAtomically(SVGPlot.render(plots, columns: columns), to: out)
    }
}
