import Foundation
import UniWS

/// The same limits and trust as bench-rust's `uniws_config`: 16 MiB frames, 64 MiB messages, and
/// only the bench CA trusted (no system trust store).
func benchConfig(caPath: String) -> WebSocketConfig {
    var roots: [String] = []
    if !caPath.isEmpty {
        do {
            roots.append(try String(contentsOfFile: caPath, encoding: .utf8))
        } catch {
            fail("cannot read CA \(caPath): \(error)")
        }
    }
    return WebSocketConfig(
        maxFrameSize: 16 << 20,
        maxMessageSize: 64 << 20,
        tls: TlsConfig(extraRootCertificatesPem: roots, useSystemTrustStore: false)
    )
}
