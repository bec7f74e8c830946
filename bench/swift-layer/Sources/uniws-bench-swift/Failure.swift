import Foundation

/// Reports a failed run on stderr and exits non-zero (stdout carries only results).
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("uniws-bench-swift: \(message)\n".utf8))
    exit(1)
}
