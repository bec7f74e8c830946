import Foundation
import XCTest

/// The real servers the tests talk to, started on 127.0.0.1 by `cargo xtask swift-test`:
/// Python `websockets` (tests/peers/echo_server.py) and a misbehaving raw server
/// (tests/peers/raw_server.py). A missing variable is a setup error, never a skip.
enum Peers {
    /// `ws://127.0.0.1:PORT` of the Python `websockets` echo server.
    static var echo: String { url("UNIWS_ECHO_URL") }
    /// `ws://127.0.0.1:PORT` of the raw misbehaving server.
    static var raw: String { url("UNIWS_RAW_URL") }

    private static func url(_ name: String) -> String {
        guard let value = ProcessInfo.processInfo.environment[name] else {
            fatalError("\(name) is not set: run the Swift tests with `cargo xtask swift-test`")
        }
        return value
    }
}

/// Fails the test if `body` does not throw an error matching `matches`.
func assertThrows<T>(
    _ body: @autoclosure () async throws -> T,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ matches: (Error) -> Bool
) async {
    do {
        _ = try await body()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        XCTAssertTrue(matches(error), "unexpected error: \(error)", file: file, line: line)
    }
}
