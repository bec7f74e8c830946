package uniws.bench

import kotlin.system.exitProcess
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking

/**
 * uniws's Kotlin layer, Ktor CIO and OkHttp against the shared echo server, in one JVM: the
 * workloads of bench/src/bin/rust_contenders.rs, printed in its format. See README.md.
 */
fun main(args: Array<String>) {
    val options = try {
        Options.parse(args)
    } catch (invalid: IllegalArgumentException) {
        System.err.println(invalid.message)
        System.err.println(Options.USAGE)
        exitProcess(2)
    }
    try {
        runBlocking(Dispatchers.Default) {
            if (options.memory != null) memory(options, options.memory) else compare(options)
        }
    } catch (failure: Throwable) {
        System.err.println("[uniws-bench-jvm] FAILED")
        failure.printStackTrace()
        exitProcess(1)
    }
}

/** One contender's idle memory; run in a JVM of its own per contender. */
private suspend fun memory(options: Options, name: String) {
    val contender = contender(name, null)
    try {
        step(name, "idle_memory", null) { idleMemory(contender, options.wsUrl, if (options.quick) 100 else 1_000) }
    } finally {
        contender.close()
    }
}

/** Latency, throughput and handshakes for every contender, alternating them within each size. */
private suspend fun compare(options: Options) {
    val names = CONTENDER_NAMES.filter { options.onlyContender == null || it == options.onlyContender }
    val contenders = names.map { contender(it, options.ca) }
    try {
        for (contender in contenders) warmUp(contender, options.wsUrl, options.wssUrl, options.scale)
        for (size in SIZES) {
            if (options.onlySize != null && options.onlySize != size) continue
            for (contender in contenders) {
                val name = contender.name
                step(name, "latency", size) { latency(contender, options.wsUrl, size, latencyRounds(size, options.scale)) }
                step(name, "throughput", size) { throughput(contender, options.wsUrl, size, throughputCount(size, options.scale)) }
            }
        }
        if (options.onlySize != null) return
        val rounds = handshakeRounds(options.scale)
        for (contender in contenders) {
            step(contender.name, "handshake_ws", null) { handshakes(contender, options.wsUrl, rounds) }
            step(contender.name, "handshake_wss", null) { handshakes(contender, options.wssUrl, rounds) }
        }
    } finally {
        contenders.forEach { it.close() }
    }
}
