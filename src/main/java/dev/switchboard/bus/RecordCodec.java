package dev.switchboard.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * The bus codec of the records on the signal hot path. Between verticles of one node the record itself
 * is handed over (records are immutable and a signal's body is never modified after it was parsed), so
 * a signal costs no JSON conversion or copy per hop; when the clustered bus carries it to another node
 * it travels as the record's JSON, the same {@code toJson}/{@code fromJson} as everywhere else.
 */
public final class RecordCodec<T> implements MessageCodec<T, T> {
  static final RecordCodec<SignalRequest> SIGNAL_REQUESTS =
      new RecordCodec<>(SignalRequest.class, SignalRequest::toJson, SignalRequest::fromJson);
  static final RecordCodec<SignalDelivery> SIGNAL_DELIVERIES =
      new RecordCodec<>(SignalDelivery.class, SignalDelivery::toJson, SignalDelivery::fromJson);

  private final Class<T> type;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  private RecordCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.type = type;
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  /** Makes the records below sendable as they are; idempotent (every verticle that uses them calls it). */
  public static void install(EventBus bus) {
    register(bus, SIGNAL_REQUESTS);
    register(bus, SIGNAL_DELIVERIES);
  }

  private static synchronized <T> void register(EventBus bus, RecordCodec<T> codec) {
    try {
      bus.registerDefaultCodec(codec.type, codec);
    } catch (IllegalStateException alreadyInstalled) {
      // another verticle of this node did it first
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T record) {
    Buffer json = toJson.apply(record).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.slice(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T record) {
    return record;
  }

  @Override
  public String name() {
    return "switchboard." + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
