// Client socket I/O without Node's stream machinery. Connections are polled with libuv on the
// server's own event loop; each readable socket is read once per loop iteration into one shared
// arena, and the whole iteration's input is handed to JavaScript in ONE call from the loop's check
// phase (instead of one stream callback per socket). Replies are copied to the socket writer
// (writer.h), whose own thread sends them, once per dispatch.
//
// The poller works on a dup() of each accepted socket's fd, so the Node handle that accepted it
// keeps its own fd and is never registered with epoll meanwhile (no two libuv watchers on one fd).
#pragma once

#include <sys/uio.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "writer.h"

namespace dax::io {

enum class EventKind : int32_t {
  Data = 1,      // off/len: bytes in the arena
  End = 2,       // the peer shut down its side (read returned 0); reading stops
  Error = 3,     // len: errno; polling stops
  Writable = 4,  // the output queue drained after want_drain() (or a write over the high water mark)
};

// One event, as four int32 in the array shared with JavaScript.
struct Event {
  int32_t id;
  int32_t kind;
  int32_t off;
  int32_t len;
};

class Poller {
 public:
  // `dispatch(n)` is called with n > 0 events written to `events`: from the check phase, or as soon
  // as `batch` events are waiting, so a client's reply need not wait for every other socket of
  // the iteration to be read and served. The events and the arena bytes they point at are valid
  // only during that call.
  // Throws a std::exception when the writer (writer.h) cannot be started.
  Poller(uv_loop_t* loop, uint8_t* arena, uint32_t arena_size, Event* events, uint32_t max_events, uint32_t batch,
         std::function<void(uint32_t)> dispatch, const Writer::Options& writer = Writer::Options());
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Starts polling a dup of fd for reading. Returns the connection id (> 0) or -errno.
  int32_t add(int fd);
  // Read interest. Returns 0 or -errno (unknown id: -EBADF).
  int interest(int32_t id, bool read);
  // Queues a copy of the bytes for the writer thread: returns the connection's queued bytes (this
  // write included) or -errno. Sent after the current dispatch, or at once outside one.
  int64_t writev(int32_t id, const iovec* iov, int iovcnt);
  // shutdown(SHUT_WR) once the queued output is sent: returns the queued bytes or -errno.
  int64_t shutdown_write(int32_t id);
  // Bytes queued and not yet taken by the kernel, or -errno.
  int64_t queued(int32_t id);
  // 1: the queue is empty now; 0: a Writable event comes when it is; or -errno.
  int want_drain(int32_t id);
  // Stops polling and closes the dup. Events already queued for it are dropped by the caller.
  void remove(int32_t id);
  // Removes every connection and stops dispatching (server shutdown, or the wrapper being freed).
  void close();

 private:
  struct Conn;
  static void on_poll(uv_poll_t* h, int status, int events);
  static void on_check(uv_check_t* h);
  static void on_notes(uv_async_t* h);
  void take_notes();
  bool push(int32_t id, EventKind kind, int32_t off, int32_t len);
  void deliver();
  void update(Conn* c);
  void close_conn(Conn* c);

  uv_loop_t* loop_;
  uv_check_t* check_;  // heap-allocated: freed by its close callback, which may run after ~Poller
  uv_async_t* notes_async_;  // the writer's notes (drains, errors); heap-allocated like check_
  std::unique_ptr<Writer> writer_;
  std::vector<Writer::Note> notes_;  // taken from the writer, not yet pushed as events
  uint8_t* arena_;
  uint32_t arena_size_;
  uint32_t arena_used_ = 0;
  Event* events_;
  uint32_t max_events_;
  uint32_t nevents_ = 0;
  uint32_t batch_;
  bool delivering_ = false;
  bool check_active_ = false;
  bool closed_ = false;
  int32_t next_id_ = 1;
  std::unordered_map<int32_t, Conn*> conns_;
  std::function<void(uint32_t)> dispatch_;
};

}  // namespace dax::io
