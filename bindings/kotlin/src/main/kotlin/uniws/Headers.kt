package uniws

/**
 * HTTP header fields in the order they were sent or received. Lookups ignore case, as in Ktor:
 * `headers["upgrade"]` finds `Upgrade`.
 */
public class Headers internal constructor(private val native: uniws.ffi.Headers) {
    /** The first value of the field [name], or `null`. */
    public operator fun get(name: String): String? = native.get(name)

    /** Every value of the field [name], in order; empty when it is absent. */
    public fun getAll(name: String): List<String> = native.getAll(name)

    /** Whether a field named [name] is present. */
    public operator fun contains(name: String): Boolean = native.contains(name)

    /** The distinct field names, in order of first appearance, spelled as first seen. */
    public fun names(): List<String> = native.names()

    /** Every field as a name and value, in order. */
    public fun entries(): List<Pair<String, String>> = native.entries().map { it.name to it.value }

    /** The number of fields. */
    public val size: Int get() = native.size().toInt()

    /** Whether there are no fields. */
    public fun isEmpty(): Boolean = size == 0

    /** The fields as `Name: value` lines. */
    override fun toString(): String = entries().joinToString(", ", "Headers[", "]") { "${it.first}: ${it.second}" }
}
