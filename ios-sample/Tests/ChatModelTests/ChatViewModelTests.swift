import Foundation
import XCTest
import UniWS
@testable import ChatModel

/// Drives the sample's view model against the real echo server started by `cargo xtask swift-test`.
@MainActor
final class ChatViewModelTests: XCTestCase {
    private var echoURL: String {
        guard let base = ProcessInfo.processInfo.environment["UNIWS_ECHO_URL"] else {
            fatalError("UNIWS_ECHO_URL is not set: run with `cargo xtask swift-test`")
        }
        return "\(base)/echo"
    }

    func testConnectSendReceiveAndClose() async throws {
        let model = ChatViewModel(url: echoURL)
        var changes = 0
        model.onChange = { changes += 1 }
        await model.connect()
        XCTAssertEqual(model.state, .connected)
        XCTAssertTrue(model.callSummary.contains { $0.contains("101 Switching Protocols") }, "\(model.callSummary)")

        model.draft = "hello"
        await model.send()
        XCTAssertEqual(model.draft, "")
        let deadline = Date().addingTimeInterval(5)
        while model.messages.count < 2, Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(model.messages.map(\.text), ["hello", "hello"])
        XCTAssertEqual(model.messages.map(\.direction), [.sent, .received])

        model.draft = ""
        await model.send()
        XCTAssertEqual(model.messages.count, 2, "an empty draft is not sent")

        await model.disconnect()
        XCTAssertEqual(model.state, .closed(CloseReason(code: 1000, message: "")))
        XCTAssertGreaterThan(changes, 3)
    }

    func testConnectionFailureIsShown() async {
        let model = ChatViewModel(url: "ws://127.0.0.1:1/")
        await model.connect()
        guard case .failed(let message) = model.state else { return XCTFail("expected failure, got \(model.state)") }
        XCTAssertTrue(message.contains("ConnectFailed"), message)
    }
}
