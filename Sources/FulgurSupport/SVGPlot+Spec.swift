import Foundation

extension SVGPlot {
    /// Charts from a JSON spec (`fulgur plot`, docs/figures.md):
    ///
    ///     {"columns": 2, "plots": [{"title", "x_label", "y_label", "log_y": false,
    ///                               "series": [{"name", "points": [[x, y], …]}]}]}
    ///
    /// A null y (a missing value) is skipped. Errors name the file and the offending field.
    public static func plots(spec: JSONValue, file: String) throws -> (plots: [SVGPlot], columns: Int) {
        func fail(_ field: String, _ why: String) -> FileError { FileError(file, "\(field): \(why)") }
        guard let list = spec["plots"]?.array, !list.isEmpty else { throw fail("plots", "expected a non-empty array") }
        let plots = try list.enumerated().map { i, p -> SVGPlot in
            let at = "plots[\(i)]"
            guard let title = p["title"]?.string else { throw fail(at + ".title", "expected a string") }
            guard let series = p["series"]?.array else { throw fail(at + ".series", "expected an array") }
            let parsed = try series.enumerated().map { j, s -> Series in
                let sat = "\(at).series[\(j)]"
                guard let name = s["name"]?.string else { throw fail(sat + ".name", "expected a string") }
                guard let points = s["points"]?.array else { throw fail(sat + ".points", "expected an array of [x, y]") }
                return Series(name: name, points: try points.enumerated().compactMap { k, pt in
                    guard let x = pt[0]?.double, let y = pt[1], pt.array?.count == 2 else {
                        throw fail("\(sat).points[\(k)]", "expected [x, y] numbers")
                    }
                    if case .null = y { return nil }
                    guard let yv = y.double else { throw fail("\(sat).points[\(k)]", "y must be a number or null") }
                    return (x, yv)
                })
            }
            return SVGPlot(title: title, xLabel: p["x_label"]?.string ?? "", yLabel: p["y_label"]?.string ?? "",
                           series: parsed, logY: p["log_y"]?.bool ?? false)
        }
        let columns = spec["columns"]?.int ?? 1
        guard columns >= 1 else { throw fail("columns", "must be ≥ 1") }
        return (plots, columns)
    }

    /// One chart as is, several in a grid.
    public static func render(_ plots: [SVGPlot], columns: Int) -> String {
        plots.count == 1 ? plots[0].render() : grid(plots, columns: columns)
    }
}
