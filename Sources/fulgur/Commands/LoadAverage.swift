import Foundation

/// The 1-, 5- and 15-minute load averages (the machine is shared; note them with timings).
enum LoadAverage {
    static func now() -> [Double]? {
        var v = [0.0, 0.0, 0.0]
        return getloadavg(&v, 3) == 3 ? v : nil
    }

    static func text() -> String {
        guard let v = now() else { return "n/a" }
        return v.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
}
