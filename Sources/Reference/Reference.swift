// The Reference module; see ../shared/DESIGN.md. Filled in by its issue.
public enum ReferenceModule {}
