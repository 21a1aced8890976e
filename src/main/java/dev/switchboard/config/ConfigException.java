package dev.switchboard.config;

/** A configuration problem, worded as the one line an operator sees before the process exits. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
