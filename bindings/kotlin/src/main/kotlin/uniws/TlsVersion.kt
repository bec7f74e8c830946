package uniws

/** A TLS protocol version, for [WebSocketConfig.minTlsVersion]. */
public enum class TlsVersion(internal val native: uniws.ffi.TlsVersion) {
    /** TLS 1.2. */
    TLS_1_2(uniws.ffi.TlsVersion.TLS12),

    /** TLS 1.3. */
    TLS_1_3(uniws.ffi.TlsVersion.TLS13),
}
