package uniws

import com.sun.jna.CallbackThreadInitializer
import com.sun.jna.Native
import uniws.ffi.uniffiRustFutureContinuationCallbackImpl

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
        // Every async call into the core completes through a JNA callback from one of the core's
        // worker threads. JNA attaches such a thread to the JVM for the callback and detaches it
        // afterwards unless told otherwise, which cost far more than the call itself; keep the few
        // worker threads attached, as daemon threads that do not keep the JVM alive.
        Native.setCallbackThreadInitializer(
            uniffiRustFutureContinuationCallbackImpl,
            CallbackThreadInitializer(true, false, "uniws-worker"),
        )
    }

    /** Applies the override, once, before the generated bindings load the library. */
    fun ensureConfigured(): Unit = Unit
}
