package dev.switchboard.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The codecs and header extensions the node forwards, in its order of preference, and how a client's codec is
 * recognised as one of them. The node never transcodes: it accepts what it can forward to every browser it serves
 * (Opus; VP8, and H.264 constrained baseline with packetization-mode 1 for Safari).
 */
final class NodeCodecs {
  /** A codec the node forwards, whatever payload type a client gives it. */
  enum Key {
    OPUS(MediaKind.AUDIO, 111, -1), VP8(MediaKind.VIDEO, 96, 97), H264(MediaKind.VIDEO, 102, 103);

    final MediaKind kind;
    final int defaultPt;
    final int defaultRtxPt;

    Key(MediaKind kind, int defaultPt, int defaultRtxPt) {
      this.kind = kind;
      this.defaultPt = defaultPt;
      this.defaultRtxPt = defaultRtxPt;
    }

    boolean hasRtx() {
      return defaultRtxPt >= 0;
    }
  }

  /** The feedback the node gives and acts on, in the order written (what Chrome offers, minus nothing). */
  static final List<String> VIDEO_FEEDBACK = List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");
  static final List<String> AUDIO_FEEDBACK = List.of("transport-cc");
  static final String OPUS_FMTP = "minptime=10;useinbandfec=1";
  static final String H264_FMTP = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";

  /** Header extensions per kind with the ids the node uses when the client has said none (Chrome's own). */
  private static final Map<String, Integer> EXTENSION_IDS = Map.of(Extmap.AUDIO_LEVEL, 1, Extmap.ABS_SEND_TIME, 2,
      Extmap.TRANSPORT_CC, 3, Extmap.MID, 4);
  private static final List<String> AUDIO_EXTENSIONS =
      List.of(Extmap.AUDIO_LEVEL, Extmap.ABS_SEND_TIME, Extmap.TRANSPORT_CC, Extmap.MID);
  private static final List<String> VIDEO_EXTENSIONS = List.of(Extmap.ABS_SEND_TIME, Extmap.TRANSPORT_CC, Extmap.MID);

  private NodeCodecs() {
  }

  static List<Key> preference(MediaKind kind) {
    return switch (kind) {
      case AUDIO -> List.of(Key.OPUS);
      case VIDEO -> List.of(Key.VP8, Key.H264);
      default -> List.of();
    };
  }

  static List<String> extensions(MediaKind kind) {
    return kind == MediaKind.AUDIO ? AUDIO_EXTENSIONS : kind == MediaKind.VIDEO ? VIDEO_EXTENSIONS : List.of();
  }

  static int defaultExtensionId(String uri) {
    return EXTENSION_IDS.get(uri);
  }

  /** Which of the node's codecs {@code codec} is, {@code null} for one it does not forward. */
  static Key keyOf(Codec codec) {
    String name = codec.name().toLowerCase(Locale.ROOT);
    if (name.equals("opus") && codec.clockRate() == 48000 && codec.channels() == 2) {
      return Key.OPUS;
    }
    if (codec.clockRate() != 90000) {
      return null;
    }
    if (name.equals("vp8")) {
      return Key.VP8;
    }
    if (name.equals("h264")) {
      Map<String, String> params = codec.parameters();
      return "1".equals(params.get("packetization-mode")) && constrainedBaseline(params.get("profile-level-id"))
          ? Key.H264 : null;
    }
    return null;
  }

  /**
   * RFC 6184 §8.1: profile_idc 0x42 (baseline) with constraint_set1_flag set is constrained baseline, the one
   * profile every WebRTC browser decodes. Absent, profile-level-id means 42000a: plain baseline, not ours.
   */
  private static boolean constrainedBaseline(String profileLevelId) {
    if (profileLevelId == null || profileLevelId.length() != 6) {
      return false;
    }
    int profile = hex(profileLevelId, 0);
    int constraints = hex(profileLevelId, 2);
    return profile == 0x42 && constraints >= 0 && (constraints & 0x40) != 0;
  }

  private static int hex(String s, int at) {
    int hi = Character.digit(s.charAt(at), 16);
    int lo = Character.digit(s.charAt(at + 1), 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  /** The node's own description of {@code key} at {@code pt}: what goes into a section the client never offered. */
  static Codec codec(Key key, int pt) {
    return switch (key) {
      case OPUS -> new Codec(pt, "opus", 48000, 2, OPUS_FMTP, AUDIO_FEEDBACK);
      case VP8 -> new Codec(pt, "VP8", 90000, 1, "", VIDEO_FEEDBACK);
      case H264 -> new Codec(pt, "H264", 90000, 1, H264_FMTP, VIDEO_FEEDBACK);
    };
  }

  static Codec rtx(int pt, int apt) {
    return new Codec(pt, "rtx", 90000, 1, "apt=" + apt, List.of());
  }

  /**
   * The offered codecs the node accepts, in the node's order, each with its RTX when offered; the offerer's
   * payload types, fmtp and the feedback both sides support. Audio's fmtp becomes the node's (it states what the
   * node wants to receive); H.264's stays the offerer's, level included (level-asymmetry-allowed).
   */
  static List<Codec> accept(MediaKind kind, List<Codec> offered) {
    List<Codec> accepted = new ArrayList<>();
    for (Key key : preference(kind)) {
      for (Codec codec : offered) {
        if (keyOf(codec) != key) {
          continue;
        }
        List<String> feedback = (kind == MediaKind.AUDIO ? AUDIO_FEEDBACK : VIDEO_FEEDBACK).stream()
            .filter(codec.feedback()::contains).toList();
        accepted.add((key == Key.OPUS ? codec.withFmtp(OPUS_FMTP) : codec).withFeedback(feedback));
        if (key.hasRtx()) {
          offered.stream().filter(c -> c.apt() == codec.pt()).findFirst()
              .ifPresent(rtx -> accepted.add(rtx.withFeedback(List.of())));
        }
        break; // one payload type per codec: the first the offerer lists
      }
    }
    return accepted;
  }

  /** The offered extensions the node uses, with the offerer's ids and in the offerer's order. */
  static List<Extmap> acceptExtensions(MediaKind kind, List<Extmap> offered) {
    List<String> wanted = extensions(kind);
    return offered.stream().filter(e -> wanted.contains(e.uri()))
        .map(e -> new Extmap(e.id(), e.uri(), null)).toList();
  }
}
