package dev.switchboard.turn.listen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 8656 §12.5 framing of TURN over TCP and TLS, from chunks cut anywhere. */
@Timeout(10)
class StreamAssemblerTest {
  private static byte[] stun(int attributesLength) {
    byte[] message = new byte[20 + attributesLength];
    message[0] = 0x00;
    message[1] = 0x01; // Binding request
    message[2] = (byte) (attributesLength >> 8);
    message[3] = (byte) attributesLength;
    ByteBuffer.wrap(message).putInt(4, 0x2112A442);
    Arrays.fill(message, 20, message.length, (byte) 7);
    return message;
  }

  /** ChannelData with its stream padding. */
  private static byte[] channelData(int dataLength) {
    byte[] message = new byte[4 + ((dataLength + 3) & ~3)];
    message[0] = 0x40;
    message[1] = 0x01;
    message[2] = (byte) (dataLength >> 8);
    message[3] = (byte) dataLength;
    Arrays.fill(message, 4, 4 + dataLength, (byte) 9);
    return message;
  }

  private static List<byte[]> feedInChunks(StreamAssembler framer, byte[] stream, Random random) {
    List<byte[]> out = new ArrayList<>();
    int at = 0;
    while (at < stream.length) {
      int size = Math.min(stream.length - at, 1 + random.nextInt(50));
      assertTrue(framer.feed(ByteBuffer.wrap(stream, at, size), m -> {
        byte[] copy = new byte[m.remaining()];
        m.get(copy);
        out.add(copy);
      }));
      at += size;
    }
    return out;
  }

  @Test
  void messages_split_and_joined_at_any_byte_come_out_whole_and_in_order() {
    List<byte[]> sent = List.of(stun(0), channelData(1), stun(8), channelData(160), channelData(3), stun(400));
    byte[] stream = sent.stream().reduce(new byte[0], (a, b) -> {
      byte[] joined = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, joined, a.length, b.length);
      return joined;
    });
    for (int seed = 0; seed < 200; seed++) {
      List<byte[]> received = feedInChunks(new StreamAssembler(), stream, new Random(seed));
      assertEquals(sent.size(), received.size(), "seed " + seed);
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), received.get(i), "message " + i + ", seed " + seed);
      }
    }
  }

  @Test
  void the_largest_channel_data_fits_and_bytes_that_start_neither_kind_are_refused() {
    StreamAssembler framer = new StreamAssembler();
    List<Integer> sizes = new ArrayList<>();
    assertTrue(framer.feed(ByteBuffer.wrap(channelData(65_535)), m -> sizes.add(m.remaining())));
    assertEquals(List.of(4 + 65_536), sizes);
    assertFalse(new StreamAssembler().feed(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0, 0, 0}), m -> { }),
        "top bits 10 start neither STUN nor ChannelData");
  }
}
