// Reaches for: unsafeTrySendBinaryAt
import Foundation
import UniWS

func probeGeneratedSession(_ session: FfiSession) { _ = try? session.unsafeTrySendBinaryAt(address: 0, length: 1) }
