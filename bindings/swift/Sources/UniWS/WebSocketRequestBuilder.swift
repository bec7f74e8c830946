import Foundation

/// Builds a ``WebSocketRequest`` the way Ktor's `webSocketSession { ... }` block does.
///
/// ```swift
/// let session = try await client.webSocketSession { request in
///     request.url("wss://example.com/ws")
///     request.header("Authorization", "Bearer token")
///     request.subprotocols(["chat.v1"])
/// }
/// ```
public final class WebSocketRequestBuilder {
    /// The request built so far. Every field can also be set directly.
    public var request: WebSocketRequest

    /// A builder for `ws://localhost/` with method GET.
    public init() {
        request = WebSocketRequest(method: .get)
    }

    /// Sets the URL (`ws`, `wss`, or `http`/`https`, mapped to ws/wss).
    public func url(_ url: String) {
        request.url = url
    }

    /// Sets the URL from a Foundation `URL`.
    public func url(_ url: URL) {
        request.url = url.absoluteString
    }

    /// Sets the HTTP method; anything but `.get` fails with `WebSocketError.InvalidRequest`.
    public func method(_ method: HttpMethod) {
        request.method = method
    }

    /// Replaces the host.
    public func host(_ host: String) {
        request.host = host
    }

    /// Replaces the port.
    public func port(_ port: UInt16) {
        request.port = port
    }

    /// Replaces the path (and query, after `?`).
    public func path(_ path: String) {
        request.path = path
    }

    /// Adds a header field; repeatable, order kept.
    public func header(_ name: String, _ value: String) {
        request.headers.append(Header(name: name, value: value))
    }

    /// Offers these subprotocols, in order of preference.
    public func subprotocols(_ protocols: [String]) {
        request.subprotocols.append(contentsOf: protocols)
    }

    /// Sets this request's connect timeout, in seconds.
    public func connectTimeout(_ seconds: TimeInterval) {
        request.connectTimeout = seconds
    }
}
