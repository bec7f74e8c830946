// Reaches for: FfiConverterTypeHeaders
import Foundation
import UniWS

func probeHandleConverter() throws { _ = try FfiConverterTypeHeaders.lift(1) }
