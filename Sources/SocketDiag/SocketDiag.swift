// The SocketDiag module; see ../shared/DESIGN.md. Filled in by its issue.
public enum SocketDiagModule {}
