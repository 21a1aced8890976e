package dev.switchboard.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads the YAML file through vertx-config once, then applies the environment overrides. */
public final class ConfigLoader {
  public static final String CONFIG_FILE_VARIABLE = "SWITCHBOARD_CONFIG";
  public static final Path DEFAULT_FILE = Path.of("conf", "switchboard.yaml");

  private ConfigLoader() {
  }

  public static Path fileFrom(Map<String, String> env) {
    String named = env.get(CONFIG_FILE_VARIABLE);
    return named == null || named.isBlank() ? DEFAULT_FILE : Path.of(named);
  }

  /** The raw merged JSON (YAML + environment), before validation. */
  public static Future<JsonObject> loadJson(Vertx vertx, Path file, Map<String, String> env) {
    if (!Files.isRegularFile(file)) {
      return Future.failedFuture(new ConfigException("configuration file not found: " + file.toAbsolutePath()));
    }
    ConfigStoreOptions yaml = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", file.toString()));
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setScanPeriod(0).addStore(yaml));
    return retriever.getConfig()
        .recover(e -> Future.failedFuture(new ConfigException("cannot read " + file + ": " + e.getMessage())))
        .map(json -> EnvOverrides.apply(json, env))
        .eventually(retriever::close);
  }

  public static Future<SwitchboardConfig> load(Vertx vertx, Path file, Map<String, String> env) {
    return loadJson(vertx, file, env).map(SwitchboardConfig::from);
  }
}
