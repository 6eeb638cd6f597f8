extension SVGPlot {
    /// Several charts in one SVG, laid out left to right in rows of `columns` (each chart
    /// keeps its own width and height; the cell is the largest of them).
    public static func grid(_ plots: [SVGPlot], columns: Int) -> String {
        let cols = max(1, min(columns, plots.count))
        let rows = (plots.count + cols - 1) / cols
        let cw = plots.map(\.width).max() ?? 0, ch = plots.map(\.height).max() ?? 0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(cw) * cols)\" height=\"\(Int(ch) * rows)\">\n"
        for (i, p) in plots.enumerated() {
            // A nested <svg> is positioned by its x and y attributes.
            let inner = p.render().replacingOccurrences(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" ", with: "")
            s += "<svg x=\"\(Double(i % cols) * cw)\" y=\"\(Double(i / cols) * ch)\" " + inner
        }
        return s + "</svg>\n"
    }
}
