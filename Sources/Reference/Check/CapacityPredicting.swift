import HostFacts
import Tuning

/// Step 1 of a check: predict what the host holds for this plan, from the host read once before the run.
/// A protocol so a test (or a proxied check) can stand in its own model without touching the runner.
public protocol CapacityPredicting: Sendable {
    func predict(connections: Int, profile: Profile?, plan: CheckPlan, host: HostSnapshot) -> CapacityPrediction
}
