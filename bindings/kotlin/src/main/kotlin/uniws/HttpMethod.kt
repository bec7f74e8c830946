package uniws

/**
 * The HTTP method of the upgrade request. Only [HttpMethod.GET] opens a WebSocket; the others fail
 * with [WebSocketException.InvalidRequest] before any I/O (the core decides, so every binding
 * behaves alike).
 */
public enum class HttpMethod(internal val native: uniws.ffi.HttpMethod) {
    GET(uniws.ffi.HttpMethod.GET),
    POST(uniws.ffi.HttpMethod.POST),
    PUT(uniws.ffi.HttpMethod.PUT),
    DELETE(uniws.ffi.HttpMethod.DELETE),
    PATCH(uniws.ffi.HttpMethod.PATCH),
    HEAD(uniws.ffi.HttpMethod.HEAD),
    OPTIONS(uniws.ffi.HttpMethod.OPTIONS);

    internal companion object {
        fun of(native: uniws.ffi.HttpMethod): HttpMethod = entries.first { it.native == native }
    }
}
