package uniws.test

import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.assertContains
import kotlin.test.assertEquals
import org.junit.jupiter.api.Test
import uniws.WebSocketClient

/** Prints `loaded` once the native library is loaded; run in a child JVM by [NativeLibraryTest]. */
object LoadProbe {
    @JvmStatic
    fun main(args: Array<String>) {
        try {
            WebSocketClient().close()
            println("loaded")
        } catch (error: Throwable) {
            println("failed: $error")
        }
    }
}

/** Where the library comes from: the jar's resource by default, or the path a user sets. */
class NativeLibraryTest {
    private fun probe(vararg environment: Pair<String, String>, properties: List<String> = emptyList()): String {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val command = listOf(java) + properties + listOf("-cp", System.getProperty("java.class.path"), LoadProbe::class.java.name)
        val process = ProcessBuilder(command).redirectErrorStream(true).apply { environment().putAll(environment) }.start()
        val output = process.inputStream.bufferedReader().readText()
        check(process.waitFor(60, TimeUnit.SECONDS)) { "the probe did not exit" }
        return output.trim()
    }

    @Test
    fun `the library loads from the classpath resource, with nothing set`() {
        val resource = WebSocketClient::class.java.classLoader.getResource("linux-x86-64/libuniws.so")
        assertEquals("file", resource?.protocol, "the library is staged as a resource")
        assertEquals("loaded", probe())
    }

    @Test
    fun `UNIWS_LIBRARY_PATH and the system property override the path`() {
        val missing = probe("UNIWS_LIBRARY_PATH" to "/nonexistent/libuniws.so")
        assertContains(missing, "failed:")
        assertContains(missing, "nonexistent/libuniws.so")
        val staged = WebSocketClient::class.java.classLoader.getResource("linux-x86-64/libuniws.so")!!.path
        assertEquals("loaded", probe("UNIWS_LIBRARY_PATH" to staged))
        val elsewhere = probe(
            "UNIWS_LIBRARY_PATH" to staged,
            properties = listOf("-Duniffi.component.uniws.libraryOverride=/elsewhere/libuniws.so"),
        )
        assertContains(elsewhere, "failed:")
        assertContains(elsewhere, "elsewhere/libuniws.so") // the property wins over the variable
    }
}
