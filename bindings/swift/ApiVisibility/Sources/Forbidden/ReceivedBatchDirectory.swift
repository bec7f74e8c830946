// Reaches for: directoryAddress
import Foundation
import UniWS

func probe(_ batch: ReceivedBatch) -> UInt64 { batch.directoryAddress() }
