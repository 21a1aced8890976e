package dev.switchboard.turn.epoll;

import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Flushes, once per turn of one event loop, every channel written to during that turn. Reads of one epoll
 * wake-up (a recvmmsg batch from the listener, the relay sockets that became readable) queue their datagrams;
 * the flush that follows hands each channel's queue to the kernel in one sendmmsg call instead of one sendto
 * per datagram. Loop thread only.
 */
final class LoopFlusher implements Runnable {
  private final EventLoop loop;
  private final Executor endOfTurn;
  private final List<Outbound> dirty = new ArrayList<>();
  private boolean scheduled;

  LoopFlusher(EventLoop loop) {
    // a task runs after the loop has processed every ready socket of this wake-up
    this(loop, loop::execute);
  }

  /** @param endOfTurn runs a task once the current turn's reads are done (specs run it by hand) */
  LoopFlusher(EventLoop loop, Executor endOfTurn) {
    this.loop = loop;
    this.endOfTurn = endOfTurn;
  }

  EventLoop loop() {
    return loop;
  }

  void mark(Outbound outbound) {
    dirty.add(outbound);
    if (!scheduled) {
      scheduled = true;
      endOfTurn.execute(this);
    }
  }

  @Override
  public void run() {
    scheduled = false;
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }
}
