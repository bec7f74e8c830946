package uniws

/**
 * Where the native library comes from.
 *
 * By default JNA loads `libuniws` from the jar (the resource `linux-x86-64/libuniws.so`), so the
 * one Maven dependency is enough. To use another build, set the system property
 * `uniffi.component.uniws.libraryOverride` (read by the generated bindings) or the environment
 * variable `UNIWS_LIBRARY_PATH` to the library's path; the system property wins.
 */
internal object NativeLibrary {
    /** The system property the generated bindings read. */
    const val PROPERTY: String = "uniffi.component.uniws.libraryOverride"

    /** The environment variable this layer maps onto [PROPERTY]. */
    const val ENVIRONMENT: String = "UNIWS_LIBRARY_PATH"

    init {
        val path = System.getenv(ENVIRONMENT)
        if (System.getProperty(PROPERTY) == null && !path.isNullOrBlank()) {
            System.setProperty(PROPERTY, path)
        }
    }

    /** Applies the override, once, before the generated bindings load the library. */
    fun ensureConfigured(): Unit = Unit
}
