package dev.switchboard.turn;

/** The relay's correctness rules again, on the portable NIO UDP engine (the fallback where epoll is missing). */
class TurnServerSpecNioTest extends TurnServerSpecTest {
  @Override
  String io() {
    return "nio";
  }
}
