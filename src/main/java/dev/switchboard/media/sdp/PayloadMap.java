package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.NodeCodecs.Key;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One participant's payload types and extension ids: the node speaks to each browser in that browser's own
 * numbers (learned from its offers and answers), so that a forwarded packet needs only its PT and ids rewritten
 * per subscriber and the browser never sees one PT mean two codecs in its BUNDLE group (Chrome rejects that).
 * For a codec the participant never named, the node's default number is used unless it is taken.
 */
final class PayloadMap {
  private final Map<Key, Integer> pts = new EnumMap<>(Key.class);
  private final Map<Key, Integer> rtxPts = new EnumMap<>(Key.class);
  private final Map<String, Integer> extensionIds = new HashMap<>();
  /** Every PT and extension id the client has used for anything: the node's defaults must not collide. */
  private final Set<Integer> clientPts = new HashSet<>();
  private final Set<Integer> clientExtensionIds = new HashSet<>();
  /** Numbers the node picked for keys the client had not named, until they are offered or the client names them. */
  private final Set<Key> provisionalPts = EnumSet.noneOf(Key.class);
  private final Set<Key> provisionalRtxPts = EnumSet.noneOf(Key.class);
  private final Set<String> provisionalExtensions = new HashSet<>();

  /**
   * Takes in the numbers of a client's description. Numbers the node picked itself and never offered are
   * forgotten first: a section planned before the client's first offer (a newcomer to a room with publishers) had
   * only the node's defaults, which may mean something else to this client (Firefox's mid is 3, the node's default
   * transport-cc id), and Firefox refuses a description that gives one of its ids another meaning. Numbers
   * offered or learned stay: a node section keeps its PTs for as long as it lives.
   */
  void learn(List<RemoteDescription.Section> sections) {
    provisionalPts.forEach(pts::remove);
    provisionalRtxPts.forEach(rtxPts::remove);
    provisionalExtensions.forEach(extensionIds::remove);
    offered();
    sections.forEach(this::learn);
  }

  /** The node's own numbers went out in an offer: they stay, as learned ones do. */
  void offered() {
    provisionalPts.clear();
    provisionalRtxPts.clear();
    provisionalExtensions.clear();
  }

  private void learn(RemoteDescription.Section section) {
    if (section.rejected()) {
      return;
    }
    for (Codec codec : section.codecs()) {
      clientPts.add(codec.pt());
      Key key = NodeCodecs.keyOf(codec);
      if (key != null && !pts.containsKey(key) && !pts.containsValue(codec.pt())) {
        pts.put(key, codec.pt());
        section.rtxFor(codec.pt()).ifPresent(rtx -> rtxPts.putIfAbsent(key, rtx.pt()));
      }
    }
    for (Extmap extmap : section.extmaps()) {
      clientExtensionIds.add(extmap.id());
      if (NodeCodecs.extensions(section.kind()).contains(extmap.uri()) && !extensionIds.containsValue(extmap.id())) {
        extensionIds.putIfAbsent(extmap.uri(), extmap.id());
      }
    }
  }

  /** The node's codecs of {@code kind} in this participant's numbers, RTX after each video codec. */
  List<Codec> codecs(MediaKind kind, List<PlannedSection> sections) {
    Set<Integer> used = usedPts(sections);
    List<Codec> codecs = new ArrayList<>();
    for (Key key : NodeCodecs.preference(kind)) {
      int pt = pts.computeIfAbsent(key, k -> {
        provisionalPts.add(k);
        return free(k.defaultPt, used, 96, 127, 35, 63);
      });
      used.add(pt);
      codecs.add(NodeCodecs.codec(key, pt));
      if (key.hasRtx()) {
        int rtx = rtxPts.computeIfAbsent(key, k -> {
          provisionalRtxPts.add(k);
          return free(k.defaultRtxPt, used, 96, 127, 35, 63);
        });
        used.add(rtx);
        codecs.add(NodeCodecs.rtx(rtx, pt));
      }
    }
    return codecs;
  }

  /** The node's extensions for {@code kind}, in this participant's ids. */
  List<Extmap> extmaps(MediaKind kind, List<PlannedSection> sections) {
    Set<Integer> used = new HashSet<>(clientExtensionIds);
    used.addAll(extensionIds.values());
    sections.forEach(s -> s.extmaps().forEach(e -> used.add(e.id())));
    List<Extmap> extmaps = new ArrayList<>();
    for (String uri : NodeCodecs.extensions(kind)) {
      int id = extensionIds.computeIfAbsent(uri, u -> {
        provisionalExtensions.add(u);
        return free(NodeCodecs.defaultExtensionId(u), used, 1, 14, 1, 14);
      });
      used.add(id);
      extmaps.add(new Extmap(id, uri, null));
    }
    return extmaps;
  }

  private Set<Integer> usedPts(List<PlannedSection> sections) {
    Set<Integer> used = new HashSet<>(clientPts);
    used.addAll(pts.values());
    used.addAll(rtxPts.values());
    sections.forEach(s -> s.codecs().forEach(c -> used.add(c.pt())));
    return used;
  }

  /**
   * {@code preferred} when free, else the first free number in the ranges. The dynamic range runs out only after
   * 61 distinct numbers, which the node's five codecs and the client's own never reach.
   */
  private static int free(int preferred, Set<Integer> used, int from, int to, int thenFrom, int thenTo) {
    if (!used.contains(preferred)) {
      return preferred;
    }
    for (int n = from; n <= to; n++) {
      if (!used.contains(n)) {
        return n;
      }
    }
    for (int n = thenFrom; n <= thenTo; n++) {
      if (!used.contains(n)) {
        return n;
      }
    }
    throw new IllegalStateException("no free number left");
  }
}
