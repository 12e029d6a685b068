// The ProxyConfig module; see ../shared/DESIGN.md. Filled in by its issue.
public enum ProxyConfigModule {}
