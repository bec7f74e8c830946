// Reaches for: FfiConverterTypeHeaders
import Foundation
import UniWS

func probe() throws { _ = try FfiConverterTypeHeaders.lift(1) }
