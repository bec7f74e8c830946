package uniws.test

import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.jetbrains.kotlin.cli.common.ExitCode
import org.jetbrains.kotlin.cli.jvm.K2JVMCompiler
import org.junit.jupiter.api.Test

/**
 * Applications see the idiomatic layer only: small programs compiled against the packaged jar, as
 * a module of their own (as an application is), can use the public API and cannot reach the
 * generated FFI code or the layer's internal helpers. A raw-address send, a forged handle or a
 * received batch's directory would let application code read or corrupt memory.
 */
class ApiVisibilityIT {
    /** What each probe tries to reach, one file each; every one must fail as `internal`. */
    private val forbidden = mapOf(
        "generated session" to "fun probe(s: uniws.ffi.FfiSession) = s.unsafeTrySendBinaryAt(0uL, 1uL)",
        "generated client" to "fun probe() = uniws.ffi.FfiClient(uniws.ffi.WebSocketConfig())",
        "received batch" to "fun probe(b: uniws.ffi.ReceivedBatch) = b.directoryAddress()",
        "cancellation token" to "fun probe() = uniws.ffi.CancellationToken()",
        "handle converter" to "fun probe() = uniws.ffi.FfiConverterTypeFfiSession.lift(1L)",
        "native library" to "fun probe() = uniws.ffi.UniffiLib",
        "rust buffer" to "fun probe() = uniws.ffi.RustBuffer()",
        "generated frame" to "fun probe() = uniws.ffi.Frame.Text(\"x\")",
        "native session wrapper" to "fun probe(s: uniws.NativeSession) = s.tryReceiveBatch(1)",
    )

    /** The jar and its dependencies: the test classpath without the tests' own classes. */
    private val classpath: String = System.getProperty("java.class.path")
        .split(File.pathSeparator)
        .filterNot { it.endsWith("test-classes") }
        .joinToString(File.pathSeparator)

    /** Compiles [sources] (file name to text) as module `probe`; the exit code and the messages. */
    private fun compile(sources: Map<String, String>): Pair<ExitCode, String> {
        val dir = Files.createTempDirectory("uniws-probe").toFile()
        try {
            val files = sources.map { (name, text) ->
                File(dir, name).apply { writeText("package probe\n\n$text\n") }.path
            }
            val messages = ByteArrayOutputStream()
            val exit = K2JVMCompiler().exec(
                PrintStream(messages, true, "UTF-8"),
                *files.toTypedArray(),
                "-classpath", classpath,
                "-d", File(dir, "out").path,
                "-module-name", "probe",
                "-no-stdlib",
                "-no-reflect",
            )
            return exit to messages.toString("UTF-8")
        } finally {
            dir.deleteRecursively()
        }
    }

    @Test
    fun `an application compiles against the public API`() {
        val (exit, messages) = compile(
            mapOf(
                "App.kt" to """
                    import uniws.*
                    suspend fun app() {
                        val client = WebSocketClient { pingInterval = null }
                        val session = client.webSocketSession("ws://127.0.0.1:1/") { method = HttpMethod.GET }
                        session.send(Frame.Text("hello"))
                        for (frame in session.incoming) println(frame)
                        println(session.closeReason.await())
                    }
                """.trimIndent(),
            ),
        )
        assertEquals(ExitCode.OK, exit, messages)
    }

    @Test
    fun `no generated or FFI-only symbol is reachable`() {
        val probes = forbidden.keys.withIndex().associate { (index, what) -> "Probe$index.kt" to forbidden.getValue(what) }
        val (exit, messages) = compile(probes)
        assertEquals(ExitCode.COMPILATION_ERROR, exit, messages)
        for ((index, what) in forbidden.keys.withIndex()) {
            val errors = messages.lines().filter { "Probe$index.kt" in it && "error:" in it }
            assertTrue(errors.isNotEmpty(), "the $what is reachable: ${forbidden[what]}\n$messages")
            assertTrue(
                errors.any { "internal" in it },
                "the $what fails for another reason than being internal:\n${errors.joinToString("\n")}",
            )
        }
    }
}
