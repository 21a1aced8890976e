package dev.switchboard.room;

class InMemoryRoomStoreTest extends RoomStoreContract {
  @Override
  RoomStore store() {
    return new InMemoryRoomStore();
  }
}
