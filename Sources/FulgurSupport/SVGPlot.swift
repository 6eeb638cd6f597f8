import Foundation

/// Minimal SVG line charts for training and RL curves (no dependencies).
public struct SVGPlot {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }

        /// `key` against `step` over metrics records (records lacking either are skipped).
        public init(name: String, key: String, in records: [[String: JSONValue]]) {
            self.init(name: name, points: records.compactMap { r in
                guard let s = r["step"]?.double, let v = r[key]?.double else { return nil }
                return (s, v)
            })
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logY = false
    public var width = 720.0, height = 420.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logY = logY
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public func render() -> String {
        let (l, r, t, b) = (70.0, 20.0, 40.0, 55.0)
        let pw = width - l - r, ph = height - t - b
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        func ty(_ y: Double) -> Double { logY ? log10(y) : y }
        var x0 = all.map(\.x).min() ?? 0, x1 = all.map(\.x).max() ?? 1
        var y0 = all.map { ty($0.y) }.min() ?? 0, y1 = all.map { ty($0.y) }.max() ?? 1
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        if x0 == x1 { x0 -= 1 }
        func px(_ x: Double) -> Double { l + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { t + ph - (ty(y) - y0) / (y1 - y0) * ph }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
            <rect x="\(l)" y="\(t)" width="\(pw)" height="\(ph)" fill="none" stroke="#333"/>

            """
        for i in 0...5 {
            let fx = x0 + (x1 - x0) * Double(i) / 5, fy = y0 + (y1 - y0) * Double(i) / 5
            let gx = px(fx), gy = t + ph - Double(i) / 5 * ph
            s += "<line x1=\"\(gx)\" y1=\"\(t)\" x2=\"\(gx)\" y2=\"\(t + ph)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(gx)\" y=\"\(t + ph + 16)\" text-anchor=\"middle\">\(fmt(fx))</text>\n"
            s += "<line x1=\"\(l)\" y1=\"\(gy)\" x2=\"\(l + pw)\" y2=\"\(gy)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(l - 6)\" y=\"\(gy + 4)\" text-anchor=\"end\">\(fmt(logY ? pow(10, fy) : fy))</text>\n"
        }
        s += "<text x=\"\(l + pw / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(t + ph / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(t + ph / 2))\">\(escape(yLabel))</text>\n"
        for (i, ser) in series.enumerated() {
            let color = SVGPlot.colors[i % SVGPlot.colors.count]
            let pts = ser.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
            if pts.count == 1 {
                s += "<circle cx=\"\(px(pts[0].x))\" cy=\"\(py(pts[0].y))\" r=\"3\" fill=\"\(color)\"/>\n"
            } else if !pts.isEmpty {
                let path = pts.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(path)\"/>\n"
            }
            s += "<rect x=\"\(l + 10)\" y=\"\(t + 8 + Double(i) * 16)\" width=\"12\" height=\"3\" fill=\"\(color)\"/>"
            s += "<text x=\"\(l + 28)\" y=\"\(t + 13 + Double(i) * 16)\">\(escape(ser.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    public func write(to path: String) throws { try Files.writeAtomically(render(), to: path) }

    func fmt(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1e5 || a < 1e-3 { return String(format: "%.1e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3f", v)
    }

    func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
