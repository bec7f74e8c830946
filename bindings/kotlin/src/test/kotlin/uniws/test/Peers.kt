package uniws.test

import java.io.File
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/**
 * The real peers of the repository (`tests/peers`, installed by `bash tests/peers/setup.sh`), one
 * process each for the whole test run, started on first use. Each prints `PORT <n>` once listening
 * on 127.0.0.1 and exits when its stdin closes, which happens at the latest when this JVM exits.
 */
object Peers {
    /** The repository root (set by the pom). */
    val root: File = File(System.getProperty("uniws.repo.root") ?: "../..").canonicalFile

    /** Python `websockets` 15 (`tests/peers/echo_server.py`). */
    val python: PeerProcess by lazy {
        PeerProcess.start(
            "Python websockets",
            listOf(root.resolve("target/peers-venv/bin/python").path, root.resolve("tests/peers/echo_server.py").path),
        )
    }

    /** Node `ws` (`tests/peers/echo_server.js`). */
    val node: PeerProcess by lazy {
        PeerProcess.start("Node ws", listOf("node", root.resolve("tests/peers/echo_server.js").path))
    }

    /**
     * A wss:// echo server with a CA of its own (`tests/peers/tls_server.py`); its CA and pins are
     * in `target/tls-peer/details.json`.
     */
    val tls: PeerProcess by lazy {
        PeerProcess.start(
            "Python TLS",
            listOf(root.resolve("target/peers-venv/bin/python").path, root.resolve("tests/peers/tls_server.py").path),
        )
    }

    /** Both peers, for tests that run against each. */
    val all: List<PeerProcess> get() = listOf(python, node)
}

/**
 * One running peer process and its port. Deliberately not [AutoCloseable]: JUnit closes parameters
 * that are, after each parameterized test.
 */
class PeerProcess private constructor(val name: String, private val process: Process, val port: Int) {
    /** `ws://127.0.0.1:<port><path>`. */
    fun url(path: String): String = "ws://127.0.0.1:$port$path"

    /** Closes the peer's stdin (it exits) and waits briefly, then kills it. */
    fun stop() {
        runCatching { process.outputStream.close() }
        if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    override fun toString(): String = name

    companion object {
        fun start(name: String, command: List<String>): PeerProcess {
            val program = File(command.first())
            check(!program.isAbsolute || program.canExecute()) {
                "$name peer is not installed ($program): run `bash tests/peers/setup.sh` in the repository root"
            }
            val process = ProcessBuilder(command)
                .directory(Peers.root)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start()
            val firstLine = CompletableFuture.supplyAsync { process.inputStream.bufferedReader().readLine() }
                .get(30, TimeUnit.SECONDS)
            val port = firstLine?.removePrefix("PORT ")?.trim()?.toIntOrNull()
            if (port == null) {
                process.destroyForcibly()
                error("$name peer did not print its port (got `$firstLine`); is `bash tests/peers/setup.sh` done?")
            }
            val peer = PeerProcess(name, process, port)
            Runtime.getRuntime().addShutdownHook(Thread(peer::stop))
            return peer
        }
    }
}
