package dev.switchboard.turn.listen;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamFramerTest {
  @Test
  void stun_says_its_length_channel_data_is_padded_and_anything_else_is_refused() {
    ByteBuffer b = ByteBuffer.allocate(8);
    assertEquals(0, StreamFramer.frameLength(b, 0, 3), "too short to tell");
    b.put(0, (byte) 0x00).put(1, (byte) 0x01).putShort(2, (short) 8);
    assertEquals(28, StreamFramer.frameLength(b, 0, 4), "STUN: header + length");
    b.put(0, (byte) 0x40).putShort(2, (short) 5);
    assertEquals(12, StreamFramer.frameLength(b, 0, 4), "ChannelData: 4 + 5 padded to 8");
    b.put(0, (byte) 0x80);
    assertEquals(-1, StreamFramer.frameLength(b, 0, 4));
  }
}
