// Reaches for: final class Batch
import Foundation
import UniWS

func probeIncomingBatch() { _ = IncomingMessages.Batch.self }
