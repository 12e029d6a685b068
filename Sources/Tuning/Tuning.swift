// Tuning: profiles, capacity model, checks, plans. See ../shared/DESIGN.md.
public enum TuningModule {}
