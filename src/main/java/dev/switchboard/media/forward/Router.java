package dev.switchboard.media.forward;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The rooms and participants of this media node, and the node's limits: a node refuses more media than it can
 * forward rather than degrading every room on it. A participant is in at most one room of the node. Refusals are
 * {@link MediaRefusal}s ({@code media_unavailable}). Owned by the packet thread (control reaches it as tasks).
 */
public final class Router {
  /**
   * @param maxRooms rooms on the node
   * @param maxParticipants participants on the node, all rooms together
   * @param maxParticipantsPerRoom participants in one room
   * @param maxTracksPerParticipant tracks one participant publishes (camera, microphone, screen, its audio)
   */
  public record Limits(int maxRooms, int maxParticipants, int maxParticipantsPerRoom, int maxTracksPerParticipant) {
    public Limits {
      if (maxRooms <= 0 || maxParticipants <= 0 || maxParticipantsPerRoom <= 0 || maxTracksPerParticipant <= 0) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }

    public static Limits defaults() {
      return new Limits(100, 500, 25, 4);
    }

    /** The same with another cap per room (the node's rooms.max-peers); the node's cap is at least that. */
    public Limits perRoom(int participantsPerRoom) {
      return new Limits(maxRooms, Math.max(maxParticipants, participantsPerRoom), participantsPerRoom,
          maxTracksPerParticipant);
    }
  }

  private final Limits limits;
  private final RandomGenerator random;
  private final Map<String, RoomMedia> rooms = new HashMap<>();
  private final Map<String, RoomMedia> roomOfParticipant = new HashMap<>();

  public Router(Limits limits, RandomGenerator random) {
    this.limits = limits;
    this.random = random;
  }

  public Limits limits() {
    return limits;
  }

  /** Puts a participant into a room, creating the room; the room it is in already when it joins again. */
  public RoomMedia join(String roomId, String participantId) {
    RoomMedia current = roomOfParticipant.get(participantId);
    if (current != null) {
      if (current.id().equals(roomId)) {
        return current;
      }
      throw new MediaRefusal(MediaRefusal.Cause.IN_ANOTHER_ROOM, participantId);
    }
    if (roomOfParticipant.size() >= limits.maxParticipants()) {
      throw new MediaRefusal(MediaRefusal.Cause.NODE_PARTICIPANTS_FULL, null);
    }
    RoomMedia room = rooms.get(roomId);
    if (room == null) {
      if (rooms.size() >= limits.maxRooms()) {
        throw new MediaRefusal(MediaRefusal.Cause.NODE_ROOMS_FULL, null);
      }
      room = new RoomMedia(roomId, random);
      rooms.put(roomId, room);
    } else if (room.participants().size() >= limits.maxParticipantsPerRoom()) {
      throw new MediaRefusal(MediaRefusal.Cause.ROOM_FULL, roomId);
    }
    room.addParticipant(participantId);
    roomOfParticipant.put(participantId, room);
    return room;
  }

  /** Takes a participant out (its tracks and subscriptions go); an empty room goes too. Returns the ended streams. */
  public List<Downstream> leave(String participantId) {
    RoomMedia room = roomOfParticipant.remove(participantId);
    if (room == null) {
      return List.of();
    }
    List<Downstream> removed = room.removeParticipant(participantId);
    if (room.isEmpty()) {
      rooms.remove(room.id());
    }
    return removed;
  }

  /** Adds a track the participant publishes; at most {@link Limits#maxTracksPerParticipant()} of them. */
  public Track publish(String participantId, Track track) {
    if (!track.ownerId().equals(participantId)) {
      throw new MediaRefusal(MediaRefusal.Cause.NOT_ALLOWED, "track of " + track.ownerId());
    }
    RoomMedia room = joined(participantId);
    if (room.tracksOf(participantId).size() >= limits.maxTracksPerParticipant()) {
      throw new MediaRefusal(MediaRefusal.Cause.TOO_MANY_TRACKS, participantId);
    }
    return room.addTrack(track);
  }

  /** Removes a track the participant publishes; returns the subscribers' streams of it. */
  public List<Downstream> unpublish(String participantId, String trackId) {
    RoomMedia room = joined(participantId);
    Track track = room.track(trackId);
    if (track == null || !track.ownerId().equals(participantId)) {
      throw new MediaRefusal(MediaRefusal.Cause.UNKNOWN_TRACK, trackId);
    }
    return room.removeTrack(trackId);
  }

  /** Subscribes a participant to a track of its room. */
  public Downstream subscribe(String subscriberId, String trackId) {
    return joined(subscriberId).subscribe(subscriberId, trackId);
  }

  public Downstream unsubscribe(String subscriberId, String trackId) {
    RoomMedia room = roomOfParticipant.get(subscriberId);
    return room == null ? null : room.unsubscribe(subscriberId, trackId);
  }

  /** The room a participant is in, or null: the packet thread's first lookup for a session's packets. */
  public RoomMedia roomOf(String participantId) {
    return roomOfParticipant.get(participantId);
  }

  public RoomMedia room(String roomId) {
    return rooms.get(roomId);
  }

  public int roomCount() {
    return rooms.size();
  }

  public int participantCount() {
    return roomOfParticipant.size();
  }

  private RoomMedia joined(String participantId) {
    RoomMedia room = roomOfParticipant.get(participantId);
    if (room == null) {
      throw new MediaRefusal(MediaRefusal.Cause.NOT_JOINED, participantId);
    }
    return room;
  }
}
