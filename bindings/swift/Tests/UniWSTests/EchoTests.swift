import Foundation
import XCTest
@testable import UniWS

final class EchoTests: XCTestCase {
    func testEchoesTextBinaryEmptyAndLargeMessages() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        let large = String(repeating: "x", count: 24_000)
        try await session.send("Hello!")
        try await session.send(Data([1, 2, 3]))
        try await session.send("")
        try await session.send(large)
        // Sent from the caller's memory: a slice of a larger Data, an empty one, non-ASCII text
        // and a large patterned payload must arrive exactly.
        let whole = Data([9, 8, 7, 6, 5])
        let pattern = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await session.send(whole[2...])
        try await session.send(Data())
        try await session.send("héllo ✓")
        try await session.send(pattern)
        guard case .text(let hello) = try await session.receive() else { return XCTFail("text") }
        XCTAssertEqual(hello, "Hello!")
        guard case .binary(let bytes) = try await session.receive() else { return XCTFail("binary") }
        XCTAssertEqual(bytes, Data([1, 2, 3]))
        guard case .text(let empty) = try await session.receive() else { return XCTFail("empty") }
        XCTAssertEqual(empty, "")
        guard case .text(let echoed) = try await session.receive() else { return XCTFail("large") }
        XCTAssertEqual(echoed.count, 24_000)
        guard case .binary(let slice) = try await session.receive() else { return XCTFail("slice") }
        XCTAssertEqual(slice, Data([7, 6, 5]))
        guard case .binary(let nothing) = try await session.receive() else { return XCTFail("empty binary") }
        XCTAssertEqual(nothing, Data())
        guard case .text(let accented) = try await session.receive() else { return XCTFail("non-ASCII") }
        XCTAssertEqual(accented, "héllo ✓")
        guard case .binary(let patterned) = try await session.receive() else { return XCTFail("pattern") }
        XCTAssertEqual(patterned, pattern)
        try await session.close()
        let reason = await session.closeReason()
        XCTAssertEqual(reason.code, CloseReason.Codes.normal)
        XCTAssertFalse(session.isActive)
    }

    /// The echo above ran compressed (the Python peer accepts permessage-deflate); here the
    /// negotiated extension is visible, and turning compression off gives a plain session.
    func testCompressionIsNegotiatedByDefaultAndCanBeTurnedOff() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        XCTAssertEqual(session.extensions.count, 1)
        XCTAssertTrue(session.extensions[0].hasPrefix("permessage-deflate"), "\(session.extensions)")
        XCTAssertEqual(session.call.extensions, session.extensions)
        let quote = String(repeating: #"{"symbol":"ACME","bid":101.25} "#, count: 2_000)
        try await session.send(quote)
        guard case .text(let echoed) = try await session.receive() else { return XCTFail("text") }
        XCTAssertEqual(echoed, quote)
        try await session.close()

        let plain = WebSocketClient(config: WebSocketConfig(deflate: DeflateConfig(enabled: false)))
        let uncompressed = try await plain.webSocketSession("\(Peers.echo)/echo")
        XCTAssertEqual(uncompressed.extensions, [])
        try await uncompressed.send(quote)
        guard case .text(let again) = try await uncompressed.receive() else { return XCTFail("text") }
        XCTAssertEqual(again, quote)
        try await uncompressed.close()
    }

    func testIncomingSequenceEndsWhenTheSessionCloses() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        for index in 0..<5 { try await session.send("m\(index)") }
        var seen: [String] = []
        for try await frame in session.incoming {
            if case .text(let text) = frame { seen.append(text) }
            if seen.count == 5 { try await session.send(frame: .close(reason: nil)) }
        }
        XCTAssertEqual(seen, ["m0", "m1", "m2", "m3", "m4"])
    }

    func testLeavingTheIncomingLoopEarlyLosesNothing() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        for index in 0..<20 { try await session.send("m\(index)") }
        // Let every echo arrive, so a buffering sequence would have taken them all.
        try await Task.sleep(nanoseconds: 200_000_000)
        var seen: [String] = []
        for try await frame in session.incoming {
            if case .text(let text) = frame { seen.append(text) }
            if seen.count == 3 { break }
        }
        // Close now: the second loop gets what had arrived and then ends (it cannot hang).
        try await session.send(frame: .close(reason: nil))
        for try await frame in session.incoming {
            if case .text(let text) = frame { seen.append(text) }
        }
        XCTAssertEqual(seen, (0..<20).map { "m\($0)" })
    }

    func testFramesOfEveryKindHandedBackComeThroughIncomingUnchanged() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        // `incoming` takes batches the core holds in place; whatever is handed back unread must
        // come out of them as it went in, whatever its kind.
        let frames: [Frame] = [
            .text(text: "héllo"), .binary(data: Data([0, 1, 255])), .text(text: ""),
            .binary(data: Data()), .ping(data: Data([9])), .pong(data: Data()),
            .close(reason: CloseReason(code: 1001, message: "bye")), .close(reason: nil),
        ]
        session.ffi.returnUnread(frames: frames)
        var seen: [Frame] = []
        for try await frame in session.incoming {
            seen.append(frame)
            if seen.count == frames.count { break }
        }
        XCTAssertEqual(seen, frames)
        try await session.close()
    }

    func testLargeMessagesHandedOverInPlaceOutliveTheirSessionAndCanBeChanged() async throws {
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        // Large enough to be handed over without a copy, a small one between them, the last one
        // over 1 MiB (a batch of its own); each with its own pattern.
        let sizes = [64 << 10, 3, 40 << 10, (1 << 20) + 7]
        let sent = sizes.enumerated().map { index, size in
            Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
        }
        for data in sent { try await session.send(data) }
        var received: [Data] = []
        for try await frame in session.incoming {
            guard case .binary(let data) = frame else { return XCTFail("expected binary, got \(frame)") }
            received.append(data)
            if received.count == sent.count { break }
        }
        try await session.close()
        // The session and its incoming loop are gone; the messages are still whole.
        XCTAssertEqual(received, sent)
        // They are the application's: writing and growing one changes that one alone.
        var changed = received[0]
        changed[0] = 0xEE
        changed.append(contentsOf: [1, 2, 3])
        XCTAssertEqual(changed.count, sizes[0] + 3)
        XCTAssertEqual(changed[0], 0xEE)
        XCTAssertEqual(changed.suffix(3), Data([1, 2, 3]))
        XCTAssertEqual(received[0], sent[0], "a copy changed the original")
        received[3][4] = 0
        received[3].removeFirst(4)
        XCTAssertEqual(received[3].count, sizes[3] - 4)
        XCTAssertEqual(received[3].first, 0, "byte 4 comes first after removing 4")
        XCTAssertEqual(received[3].last, sent[3].last)
        XCTAssertEqual(received[2], sent[2])
    }

    func testCallMetadataHeadersAndSubprotocol() async throws {
        let client = WebSocketClient()
        let session = try await client.webSocketSession { request in
            request.url("\(Peers.echo)/headers")
            request.header("Authorization", "Bearer token")
            request.subprotocols(["chat.v1"])
        }
        XCTAssertEqual(session.call.request.url.host, "127.0.0.1")
        XCTAssertEqual(session.call.request.method, .get)
        XCTAssertNotNil(session.call.request.headers["sec-websocket-key"])
        XCTAssertEqual(session.call.response.status, 101)
        XCTAssertEqual(session.call.response.headers["UPGRADE"]?.lowercased(), "websocket")
        XCTAssertEqual(session.call.subprotocol, "chat.v1")
        XCTAssertEqual(session.extensions, [session.call.response.headers["Sec-WebSocket-Extensions"] ?? ""])
        guard case .text(let seen) = try await session.receive() else { return XCTFail("headers") }
        XCTAssertTrue(seen.contains("Bearer token"), seen)
        XCTAssertTrue(seen.contains("chat.v1"), seen)
        try await session.close()
    }

    func testPartsOverloadAndWebSocketBlock() async throws {
        let client = WebSocketClient()
        let port = UInt16(URLComponents(string: Peers.echo)!.port!)
        let session = try await client.webSocketSession(method: .get, host: "127.0.0.1", port: port, path: "/echo")
        try await session.send(frame: .ping(data: Data()))
        try await session.send("parts")
        guard case .text(let text) = try await session.receive() else { return XCTFail("text") }
        XCTAssertEqual(text, "parts")
        try await session.close()

        var inside: ClientWebSocketSession?
        let reply = try await client.webSocket("\(Peers.echo)/echo") { session -> String in
            inside = session
            try await session.send("in block")
            guard case .text(let text) = try await session.receive() else { return "" }
            return text
        }
        XCTAssertEqual(reply, "in block")
        XCTAssertEqual(inside.map { $0.isActive }, false, "the block's session is closed afterwards")
    }

    func testCodableHelpers() async throws {
        struct Chat: Codable, Equatable { let user: String; let text: String }
        let session = try await WebSocketClient().webSocketSession("\(Peers.echo)/echo")
        try await session.sendSerialized(Chat(user: "ann", text: "hi"))
        let echoed: Chat = try await session.receiveDeserialized()
        XCTAssertEqual(echoed, Chat(user: "ann", text: "hi"))
        try await session.close()
    }

    func testManySessionsInParallel() async throws {
        let client = WebSocketClient()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let session = try await client.webSocketSession("\(Peers.echo)/echo")
                    for message in 0..<20 {
                        try await session.send("\(index):\(message)")
                        guard case .text(let text) = try await session.receive(), text == "\(index):\(message)" else {
                            throw WebSocketError.Io(detail: "wrong echo")
                        }
                    }
                    try await session.close()
                    return Int(await session.closeReason().code)
                }
            }
            for try await code in group { XCTAssertEqual(code, 1000) }
        }
    }

    /// A `Sec-WebSocket-Protocol` header offers its subprotocols, as in Ktor and Rust.
    func testASecWebSocketProtocolHeaderOffersSubprotocols() async throws {
        let session = try await WebSocketClient().webSocketSession { request in
            request.url("\(Peers.echo)/echo")
            request.header("Sec-WebSocket-Protocol", "chat.v1")
        }
        XCTAssertEqual(session.call.subprotocol, "chat.v1")
        try await session.close()
    }
}
