enum LeastSquares {
    /// Intercept and slope of the least-squares line through (x, y).
    static func line(_ x: [Double], _ y: [Double]) -> (a: Double, b: Double) {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxx = zip(x, x).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - mx) }
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let b = sxx > 0 ? sxy / sxx : 0
        return (my - b * mx, b)
    }
}
