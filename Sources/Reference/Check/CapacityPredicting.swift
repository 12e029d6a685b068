import HostFacts
import Tuning

/// Step 1 of a check: predict what the host holds for this plan. A protocol so the audit's capacity model
/// can stand in for `HostCapacityPredictor` without touching the runner.
public protocol CapacityPredicting: Sendable {
    func predict(connections: Int, profile: Profile?, plan: CheckPlan, root: HostRoot) -> CapacityPrediction
}
