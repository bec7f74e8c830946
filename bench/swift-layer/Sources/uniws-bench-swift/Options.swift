import Foundation

/// The command line: `--ws PORT --wss PORT --ca PEM [--quick] [--only SIZE] [--repeat N]`.
struct Options {
    var ws: UInt16 = 0
    var wss: UInt16 = 0
    var ca = ""
    var quick = false
    /// Measured rounds per size, after the warm-up round (`--repeat`; 3, or 1 with `--quick`).
    var repeatCount = 0
    /// Measure only this payload size, and no handshakes (for profiling, like bench-rust's).
    var onlySize: Int?

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments.makeIterator()
        func value(_ flag: String) -> String {
            guard let value = rest.next() else { fail("\(flag) needs a value") }
            return value
        }
        while let argument = rest.next() {
            switch argument {
            case "--ws": options.ws = port(value(argument))
            case "--wss": options.wss = port(value(argument))
            case "--ca": options.ca = value(argument)
            case "--quick": options.quick = true
            case "--repeat":
                guard let count = Int(value(argument)), count > 0 else { fail("--repeat needs a count") }
                options.repeatCount = count
            case "--only":
                guard let size = Int(value(argument)) else { fail("--only needs a size in bytes") }
                options.onlySize = size
            default: fail("unknown argument \(argument)")
            }
        }
        if options.repeatCount == 0 { options.repeatCount = options.quick ? 1 : 3 }
        if options.ws == 0 { fail("--ws PORT is required") }
        if options.onlySize == nil && (options.wss == 0 || options.ca.isEmpty) {
            fail("--wss PORT and --ca PEM are required")
        }
        return options
    }

    private static func port(_ text: String) -> UInt16 {
        guard let port = UInt16(text), port != 0 else { fail("bad port \(text)") }
        return port
    }
}
