import Foundation
import Testing
@testable import FulgurSupport

/// `fulgur plot` specs (docs/figures.md): parsed into charts, bad fields named.
@Suite struct SVGPlotSpecTests {
    func parse(_ text: String) throws -> (plots: [SVGPlot], columns: Int) {
        try SVGPlot.plots(spec: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), file: "spec.json")
    }

    @Test func specBecomesChartsAndNullsAreSkipped() throws {
        let (plots, columns) = try parse("""
            {"columns": 2, "plots": [
              {"title": "a", "x_label": "step", "y_label": "acc", "series": [{"name": "cispo", "points": [[0, 0.5], [4, null], [8, 0.75]]}]},
              {"title": "b", "log_y": true, "series": []}]}
            """)
        #expect(columns == 2 && plots.count == 2 && plots[1].logY && plots[1].xLabel == "")
        let pts = plots[0].series[0].points
        #expect(pts.count == 2 && pts[0].x == 0 && pts[0].y == 0.5 && pts[1].x == 8 && pts[1].y == 0.75)
        let svg = SVGPlot.render(plots, columns: columns)
        #expect(svg.contains(">cispo</text>") && svg.components(separatedBy: "<svg").count == 4)  // grid + 2 charts
        #expect(SVGPlot.render([plots[0]], columns: 2) == plots[0].render())
    }

    @Test func badFieldsAreNamed() throws {
        let cases: [(String, String)] = [
            (#"{"plots": []}"#, "plots: expected a non-empty array"),
            (#"{"plots": [{"series": []}]}"#, "plots[0].title"),
            (#"{"plots": [{"title": "t", "series": [{"name": "s", "points": [[1, 2], [3]]}]}]}"#, "plots[0].series[0].points[1]"),
            (#"{"plots": [{"title": "t", "series": [{"name": "s", "points": [[1, "x"]]}]}]}"#, "y must be a number or null"),
            (#"{"columns": 0, "plots": [{"title": "t", "series": []}]}"#, "columns"),
        ]
        for (text, want) in cases {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch let e as FileError {
                #expect(e.path == "spec.json" && e.detail.contains(want), "\(e.detail)")
            }
        }
    }
}
