// Reaches for: unsafeFromHandle
import Foundation
import UniWS

func probeForgedHeaders() { _ = Headers(unsafeFromHandle: 1) }
