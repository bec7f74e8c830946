// Reaches for: directoryAddress
import Foundation
import UniWS

func probeReceivedBatchDirectory(_ batch: ReceivedBatch) -> UInt64 { batch.directoryAddress() }
