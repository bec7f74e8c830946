import Foundation

/// Turns values into frames and back, for ``ClientWebSocketSession/sendSerialized(_:converter:)``
/// and ``ClientWebSocketSession/receiveDeserialized(_:converter:)``. Plug in another format by
/// conforming to this protocol.
public protocol WebSocketContentConverter: Sendable {
    /// The frame carrying `value`.
    func serialize<T: Encodable>(_ value: T) throws -> Frame
    /// The value carried by `frame`.
    func deserialize<T: Decodable>(_ frame: Frame, as type: T.Type) throws -> T
}

/// JSON in text frames (reads binary frames too), with Foundation's encoder and decoder.
public struct JSONWebSocketConverter: WebSocketContentConverter {
    /// A converter with default JSON settings.
    public init() {}

    /// Encodes `value` as a JSON text frame.
    public func serialize<T: Encodable>(_ value: T) throws -> Frame {
        let data = try JSONEncoder().encode(value)
        return .text(text: String(decoding: data, as: UTF8.self))
    }

    /// Decodes a JSON text or binary frame.
    public func deserialize<T: Decodable>(_ frame: Frame, as type: T.Type) throws -> T {
        switch frame {
        case .text(let text): return try JSONDecoder().decode(type, from: Data(text.utf8))
        case .binary(let data): return try JSONDecoder().decode(type, from: data)
        default: throw WebSocketContentError.notAMessage(frame)
        }
    }
}

/// Why a frame could not be deserialized.
public enum WebSocketContentError: Error {
    /// The frame is a control frame, not a message.
    case notAMessage(Frame)
}

extension ClientWebSocketSession {
    /// Sends `value` through `converter` (JSON by default).
    public func sendSerialized<T: Encodable>(
        _ value: T, converter: WebSocketContentConverter = JSONWebSocketConverter()
    ) async throws {
        try await send(frame: converter.serialize(value))
    }

    /// Receives the next message and decodes it as `T` through `converter` (JSON by default).
    public func receiveDeserialized<T: Decodable>(
        _ type: T.Type = T.self, converter: WebSocketContentConverter = JSONWebSocketConverter()
    ) async throws -> T {
        try converter.deserialize(try await receive(), as: type)
    }
}
