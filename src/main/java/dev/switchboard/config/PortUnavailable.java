package dev.switchboard.config;

/** A configured listening address that cannot be bound; the message names the key that moves it. */
public final class PortUnavailable extends RuntimeException {
  public PortUnavailable(String key, String address, Throwable cause) {
    super(address + " is not available (" + cause.getMessage() + "); set " + key + " / "
        + EnvOverrides.variableFor(key) + " to a free port", cause);
  }
}
