package uniws.bench

import java.io.File
import kotlinx.coroutines.delay

/** Resident memory of this process, in bytes: the second field of /proc/self/statm, in 4 KiB pages. */
fun residentBytes(): Long = File("/proc/self/statm").readText().trim().split(' ')[1].toLong() * 4096

/**
 * Resident memory per idle session: one warm-up session, then [sessions] more held open, the RSS
 * difference divided by [sessions]. A full GC runs before each sample, so that only what the open
 * sessions keep alive (heap, threads, native memory) counts.
 */
suspend fun idleMemory(contender: Contender, url: String, sessions: Int) {
    val warm = contender.open(url)
    delay(200)
    System.gc()
    log("${contender.name}: ${heapSummary()}")
    val before = residentBytes()
    val open = ArrayList<Connection>(sessions)
    repeat(sessions) { open += contender.open(url) }
    delay(500)
    System.gc()
    val after = residentBytes()
    log("${contender.name}: rss ${before / 1024} -> ${after / 1024} KiB; ${heapSummary()}")
    Report.idleMemory(contender.name, sessions, maxOf(0L, after - before) / sessions)
    for (connection in open) connection.close()
    warm.close()
}

/** The heap's use and size and the thread count, for the log. */
private fun heapSummary(): String {
    val heap = java.lang.management.ManagementFactory.getMemoryMXBean().heapMemoryUsage
    val nonHeap = java.lang.management.ManagementFactory.getMemoryMXBean().nonHeapMemoryUsage
    return "heap used ${heap.used / 1024} KiB, committed ${heap.committed / 1024} KiB; non-heap used ${nonHeap.used / 1024} KiB; " +
        "${Thread.activeCount()} threads"
}
