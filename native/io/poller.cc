#include "poller.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <vector>

namespace dax::io {

namespace {
// One read takes at most this much; a socket with more is read again next iteration (epoll is
// level-triggered), so one busy client cannot fill the arena for everyone.
constexpr uint32_t MAX_READ = 64 * 1024;
// Below this much free arena, reading waits for the next iteration.
constexpr uint32_t MIN_READ = 4 * 1024;
}  // namespace

struct Poller::Conn {
  uv_poll_t poll;
  Poller* owner;
  int32_t id;
  int fd;  // owned by the writer target: closed by the writer thread after remove()
  Writer::Target* out;
  bool read = true;
  bool polling = false;
};

Poller::Poller(uv_loop_t* loop, uint8_t* arena, uint32_t arena_size, Event* events, uint32_t max_events, uint32_t batch,
               std::function<void(uint32_t)> dispatch, const Writer::Options& writer)
    : loop_(loop),
      check_(new uv_check_t),
      notes_async_(new uv_async_t),
      arena_(arena),
      arena_size_(arena_size),
      events_(events),
      max_events_(max_events),
      batch_(batch == 0 || batch > max_events - 1 ? max_events - 1 : batch),
      dispatch_(std::move(dispatch)) {
  try {
    // The thread sends notes only about records it was given, so never before the handle is ready.
    writer_ = std::make_unique<Writer>([a = notes_async_] { uv_async_send(a); }, writer);
  } catch (...) {
    delete check_;
    delete notes_async_;
    throw;
  }
  uv_check_init(loop_, check_);
  check_->data = this;
  uv_async_init(loop_, notes_async_, on_notes);
  notes_async_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(notes_async_));  // must not keep the process alive
}

Poller::~Poller() { close(); }

void Poller::close() {
  if (closed_) return;
  closed_ = true;
  std::vector<Conn*> all;
  all.reserve(conns_.size());
  for (auto& kv : conns_) all.push_back(kv.second);
  conns_.clear();
  for (Conn* c : all) close_conn(c);
  writer_->stop();  // sends what is staged, closes the fds; no note is sent after this
  uv_check_stop(check_);
  uv_close(reinterpret_cast<uv_handle_t*>(check_), [](uv_handle_t* h) { delete reinterpret_cast<uv_check_t*>(h); });
  uv_close(reinterpret_cast<uv_handle_t*>(notes_async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  nevents_ = 0;
  notes_.clear();
}

int32_t Poller::add(int fd) {
  if (closed_) return -EBADF;
  int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return -errno;
  int fl = fcntl(dup_fd, F_GETFL);
  if (fl < 0 || fcntl(dup_fd, F_SETFL, fl | O_NONBLOCK) < 0) {
    int e = errno;
    ::close(dup_fd);
    return -e;
  }
  Conn* c = new Conn;
  c->owner = this;
  c->fd = dup_fd;
  int r = uv_poll_init(loop_, &c->poll, dup_fd);
  if (r < 0) {
    ::close(dup_fd);
    delete c;
    return r;
  }
  c->poll.data = c;
  do {
    c->id = next_id_;
    next_id_ = next_id_ == INT32_MAX ? 1 : next_id_ + 1;
  } while (conns_.count(c->id));
  conns_[c->id] = c;
  c->out = writer_->open(c->id, dup_fd);
  update(c);
  return c->id;
}

void Poller::update(Conn* c) {
  int mask = c->read ? UV_READABLE : 0;
  if (mask == 0) {
    if (c->polling) uv_poll_stop(&c->poll);
    c->polling = false;
    return;
  }
  if (uv_poll_start(&c->poll, mask, on_poll) == 0) c->polling = true;
}

int Poller::interest(int32_t id, bool read) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return -EBADF;
  Conn* c = it->second;
  if (c->read == read) return 0;
  c->read = read;
  update(c);
  return 0;
}

int64_t Poller::writev(int32_t id, const iovec* iov, int iovcnt) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return -EBADF;
  int64_t q = writer_->write(it->second->out, iov, iovcnt);
  if (!delivering_) writer_->flush();  // a reply outside a dispatch (a timer, a drain) goes now
  return q;
}

int64_t Poller::shutdown_write(int32_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return -EBADF;
  int64_t q = writer_->shutdown(it->second->out);
  if (!delivering_) writer_->flush();
  return q;
}

int64_t Poller::queued(int32_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return -EBADF;
  return writer_->queued(it->second->out);
}

int Poller::want_drain(int32_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return -EBADF;
  return writer_->want_drain(it->second->out) ? 1 : 0;
}

void Poller::remove(int32_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn* c = it->second;
  conns_.erase(it);
  close_conn(c);
}

void Poller::close_conn(Conn* c) {
  // uv_close stops the watcher and takes the fd out of the loop's epoll at once, so the writer
  // thread may close the fd (after what is staged for it) before the close callback runs.
  uv_close(reinterpret_cast<uv_handle_t*>(&c->poll), [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
  writer_->close(c->out);
  c->out = nullptr;
  if (!delivering_) writer_->flush();
}

bool Poller::push(int32_t id, EventKind kind, int32_t off, int32_t len) {
  if (nevents_ >= max_events_) return false;
  events_[nevents_++] = Event{id, int32_t(kind), off, len};
  if (!check_active_) {
    check_active_ = true;
    uv_check_start(check_, on_check);
  }
  return true;
}

void Poller::on_poll(uv_poll_t* h, int status, int events) {
  Conn* c = static_cast<Conn*>(h->data);
  Poller* p = c->owner;
  if (p->closed_) return;
  // Room for a read's event; else wait (level-triggered: it fires again).
  if (p->nevents_ + 1 > p->max_events_) return;
  if (status < 0) {
    p->push(c->id, EventKind::Error, 0, -status);
    c->read = false;
    p->update(c);
    return;
  }
  if ((events & UV_READABLE) && c->read) {
    uint32_t room = p->arena_size_ - p->arena_used_;
    if (room >= MIN_READ) {
      uint32_t want = room < MAX_READ ? room : MAX_READ;
      ssize_t n;
      do n = ::read(c->fd, p->arena_ + p->arena_used_, want);
      while (n < 0 && errno == EINTR);
      if (n > 0) {
        p->push(c->id, EventKind::Data, int32_t(p->arena_used_), int32_t(n));
        p->arena_used_ += uint32_t(n);
      } else if (n == 0) {
        p->push(c->id, EventKind::End, 0, 0);
        c->read = false;
        p->update(c);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        p->push(c->id, EventKind::Error, 0, errno);
        c->read = false;
        p->update(c);
        return;
      }
    }
  }
  if (p->nevents_ >= p->batch_) p->deliver();
}

void Poller::deliver() {
  uint32_t n = nevents_;
  if (n == 0 || closed_ || delivering_) return;
  delivering_ = true;
  dispatch_(n);
  delivering_ = false;
  // Everything handed over was consumed (the caller copies what it keeps).
  nevents_ = 0;
  arena_used_ = 0;
  writer_->flush();  // the dispatch's replies, after its barrier
  if (!notes_.empty()) take_notes();  // notes that did not fit before
}

void Poller::take_notes() {
  if (closed_) return;
  writer_->take_notes(notes_);
  size_t i = 0;
  for (; i < notes_.size(); i++) {
    const Writer::Note& n = notes_[i];
    if (!push(n.id, EventKind(n.kind), 0, n.err)) break;
  }
  notes_.erase(notes_.begin(), notes_.begin() + long(i));
}

void Poller::on_notes(uv_async_t* h) { static_cast<Poller*>(h->data)->take_notes(); }

void Poller::on_check(uv_check_t* h) {
  Poller* p = static_cast<Poller*>(h->data);
  uv_check_stop(h);
  p->check_active_ = false;
  p->deliver();
}

}  // namespace dax::io
