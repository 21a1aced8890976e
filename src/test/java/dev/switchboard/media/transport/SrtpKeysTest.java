package dev.switchboard.media.transport;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(5)
class SrtpKeysTest {
  @Test
  void keying_material_splits_into_client_key_server_key_client_salt_server_salt_as_rfc_5764_says() {
    byte[] material = new byte[60];
    for (int i = 0; i < material.length; i++) {
      material[i] = (byte) i;
    }

    SrtpKeys keys = SrtpKeys.fromKeyingMaterial(SrtpProfile.AES_CM_128_HMAC_SHA1_80, material);

    assertArrayEquals(Arrays.copyOfRange(material, 0, 16), keys.clientKey());
    assertArrayEquals(Arrays.copyOfRange(material, 16, 32), keys.serverKey());
    assertArrayEquals(Arrays.copyOfRange(material, 32, 46), keys.clientSalt());
    assertArrayEquals(Arrays.copyOfRange(material, 46, 60), keys.serverSalt());
  }

  @Test
  void gcm_keys_have_12_byte_salts() {
    SrtpKeys keys = SrtpKeys.fromKeyingMaterial(SrtpProfile.AEAD_AES_128_GCM, new byte[56]);

    assertEquals(12, keys.clientSalt().length);
    assertEquals(12, keys.serverSalt().length);
    assertEquals(16, keys.serverKey().length);
    assertThrows(IllegalArgumentException.class,
        () -> SrtpKeys.fromKeyingMaterial(SrtpProfile.AEAD_AES_128_GCM, new byte[60]));
  }

  @Test
  void keys_compare_by_content_and_never_print_their_bytes() {
    byte[] material = new byte[56];
    material[3] = 9;
    SrtpKeys a = SrtpKeys.fromKeyingMaterial(SrtpProfile.AEAD_AES_128_GCM, material);
    SrtpKeys b = SrtpKeys.fromKeyingMaterial(SrtpProfile.AEAD_AES_128_GCM, material.clone());

    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("SrtpKeys[AEAD_AES_128_GCM]", a.toString());
    a.clientKey()[3] = 0; // a copy: the record cannot be changed from outside
    assertEquals(a, b);
  }

  @Test
  void the_protection_profile_ids_are_those_of_the_use_srtp_registry() {
    assertEquals(0x0001, SrtpProfile.AES_CM_128_HMAC_SHA1_80.id);
    assertEquals(0x0007, SrtpProfile.AEAD_AES_128_GCM.id);
    assertEquals(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.ofId(7));
    assertNull(SrtpProfile.ofId(2));
  }

  @Test
  void the_node_prefers_gcm_whatever_order_the_client_lists_and_refuses_unknown_profiles() {
    assertEquals(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.choose(new int[] {1, 7}));
    assertEquals(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.choose(new int[] {7, 1}));
    assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.choose(new int[] {2, 1}));
    assertNull(SrtpProfile.choose(new int[] {2, 8}));
    assertNull(SrtpProfile.choose(null));
    assertFalse(SrtpProfile.choose(new int[] {1}) == SrtpProfile.AEAD_AES_128_GCM);
  }
}
