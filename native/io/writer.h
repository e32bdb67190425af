// The sending half of client socket I/O, on its own thread. The event-loop thread stages each
// connection's replies (copies, in order) and hands the batch over once per dispatch; this thread
// does the send calls, keeps what the kernel does not take, and sends it when the socket is
// writable again. Loopback/TCP sends are the costliest system calls of a request (the copy into
// socket buffers and the peer's wakeup), so taking them off the JavaScript thread lets it read
// and serve the next batch meanwhile. A small batch is sent by the loop thread itself when the
// writer is idle, as waking the thread would cost more than the sends.
//
// Ordering: records are processed in the order they were staged, so data, shutdown(SHUT_WR) and
// close of one connection happen in the order JavaScript asked for them. Replies are staged only
// after their batch's barrier (GroupCommit), so nothing unacknowledged-durable is ever sent.
//
// Flow control: every connection counts the bytes staged and not yet taken by the kernel
// (`queued`). When that count reaches 0 after want_drain() (or a write that went over the high
// water mark), a Writable note comes back to the loop thread, like net.Socket's 'drain'.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dax::io {

class Writer {
 public:
  struct Target;  // one connection's sending state; freed by the thread after close()

  // A note for the loop thread: id, kind (Writable = 4 or Error = 3, as poller.h's EventKind), errno.
  struct Note {
    int32_t id;
    int32_t kind;
    int32_t err;
  };

  // Knobs that tests turn to run the extreme modes; the defaults are what the server uses.
  struct Options {
    size_t inline_max = INLINE_MAX;  // 0: every batch through the thread; huge: every batch inline
    unsigned delay_us = 0;           // the thread sleeps this long after each wakeup (as if preempted)
  };

  // `wake` is called from the writer thread when notes are waiting (e.g. uv_async_send). Throws a
  // std::exception when the epoll set, the eventfd or the thread cannot be made.
  Writer(std::function<void()> wake, const Options& opt);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Everything below is for the loop thread only.
  Target* open(int32_t id, int fd);  // takes ownership of fd: closed by the thread on close()
  // Stages a copy of the bytes; returns the connection's queued bytes, this write included.
  int64_t write(Target* t, const iovec* iov, int iovcnt);
  // Stages shutdown(SHUT_WR) after the output staged so far; returns the queued bytes.
  int64_t shutdown(Target* t);
  // True: nothing is queued now. False: a Writable note comes once the queue is empty.
  bool want_drain(Target* t);
  int64_t queued(const Target* t) const;
  // Stages the close: output the kernel has not taken by then is dropped; t must not be used again.
  void close(Target* t);
  // Hands the staged records to the thread, waking it if it sleeps. A small batch is sent right
  // here instead when the thread is idle with nothing older queued (see INLINE_MAX).
  void flush();
  // Moves the waiting notes into out.
  void take_notes(std::vector<Note>& out);
  // Flushes, lets the thread finish the staged records, and joins it. Idempotent.
  void stop();

  static constexpr int64_t HIGH_WATER = 64 * 1024;
  // Batches up to this size are sent by the calling thread when it can (the writer is idle): waking
  // the writer costs a context switch, which pays off only for bigger batches. Measured with
  // redis-benchmark -P 1 (tiny replies: sending inline is faster) and -P 16 / memcaslap (offloaded).
  // Options::inline_max overrides it (tests run every batch through the thread with 0, and every
  // one inline with a huge value).
  static constexpr size_t INLINE_MAX = 1024;

 private:
  enum RecKind : uint32_t { REC_DATA = 1, REC_SHUTDOWN = 2, REC_CLOSE = 3 };
  struct Rec {
    Target* t;
    uint32_t kind;
    uint32_t len;  // data bytes following the header (padded to 8)
  };

  void stage(Target* t, RecKind kind, const iovec* iov, int iovcnt, uint64_t len);
  void run();
  void process(const std::vector<uint8_t>& batch);
  void data(Target* t, const uint8_t* p, uint64_t n);
  void send_backlog(Target* t);
  void arm(Target* t);
  void fail(Target* t, int err);
  void sent(Target* t, int64_t n);
  void note(int32_t id, int32_t kind, int32_t err);
  void finish(Target* t);

  std::function<void()> wake_;
  int epfd_ = -1;
  int evfd_ = -1;
  std::thread thread_;
  bool stopped_ = false;
  size_t inline_max_;
  unsigned delay_us_;  // Options::delay_us (tests): sleep after each wakeup

  // Loop thread only.
  std::vector<uint8_t> stage_;
  // stage_ holds a close: it goes to the thread, which alone frees targets (its epoll events may
  // still name one).
  bool stage_closes_ = false;

  // Shared, under mu_.
  std::mutex mu_;
  // Held while records are processed or backlogs sent (by the thread, or by flush() inline).
  std::mutex exec_mu_;
  std::vector<std::vector<uint8_t>> ready_;  // staged batches, oldest first
  std::vector<std::vector<uint8_t>> spare_;  // emptied batches for reuse
  bool sleeping_ = false;
  bool stopping_ = false;

  std::mutex notes_mu_;
  std::vector<Note> notes_;

  // Writer thread only.
  int armed_ = 0;
};

}  // namespace dax::io
