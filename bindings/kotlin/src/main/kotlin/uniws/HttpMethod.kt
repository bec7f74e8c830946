package uniws

/**
 * The HTTP method of the upgrade request: the core's enum (`GET`, `POST`, `PUT`, `DELETE`,
 * `PATCH`, `HEAD`, `OPTIONS`), defined once in Rust. Only [HttpMethod.GET] opens a WebSocket; the
 * others fail with [WebSocketException.InvalidRequest] before any I/O.
 */
public typealias HttpMethod = uniws.ffi.HttpMethod
