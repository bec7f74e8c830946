// Reaches for: final class Batch
import Foundation
import UniWS

func probe() { _ = IncomingMessages.Batch.self }
