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

    /** Ktor's spellings (`HttpMethod.Get`), for code ported from Ktor. */
    public companion object {
        public val Get: HttpMethod get() = GET
        public val Post: HttpMethod get() = POST
        public val Put: HttpMethod get() = PUT
        public val Delete: HttpMethod get() = DELETE
        public val Patch: HttpMethod get() = PATCH
        public val Head: HttpMethod get() = HEAD
        public val Options: HttpMethod get() = OPTIONS

        internal fun of(native: uniws.ffi.HttpMethod): HttpMethod = entries.first { it.native == native }
    }
}
