package uniws

/**
 * The HTTP method of the upgrade request. Only [GET] opens a WebSocket; the others exist so that a
 * request built with another method fails with [WebSocketException.InvalidRequest] before any I/O.
 */
public enum class HttpMethod {
    /** GET, the only method RFC 6455 allows for the upgrade. */
    GET,

    /** POST. */
    POST,

    /** PUT. */
    PUT,

    /** DELETE. */
    DELETE,

    /** PATCH. */
    PATCH,

    /** HEAD. */
    HEAD,

    /** OPTIONS. */
    OPTIONS,
}
