// Reaches for: unsafeFromHandle
import Foundation
import UniWS

func probe() { _ = Headers(unsafeFromHandle: 1) }
