import Foundation

/// The contender name in every result line.
let contender = "uniws-swift"

/// Microseconds in a duration.
func microseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1e6 + Double(parts.attoseconds) / 1e12
}

/// The sample at `fraction` of the sorted samples, in microseconds (nearest rank, as bench-rust).
func percentile(_ sorted: [Duration], _ fraction: Double) -> Double {
    let index = Int((Double(sorted.count - 1) * fraction).rounded())
    return microseconds(sorted[index])
}

func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

/// Prints one JSON result line and flushes it so a reader sees it at once.
func emit(_ json: String) {
    print(json)
    fflush(stdout)
}
