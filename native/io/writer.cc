#include "writer.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace dax::io {

namespace {
constexpr int EV_WRITABLE = 4;  // poller.h EventKind::Writable
constexpr int EV_ERROR = 3;     // poller.h EventKind::Error
// Batches kept for reuse, and the largest one kept (a burst of big replies is not held forever).
constexpr size_t MAX_SPARE = 4;
constexpr size_t MAX_SPARE_BYTES = 4u << 20;
constexpr size_t MAX_KEPT_BACKLOG = 1u << 20;

inline uint64_t pad8(uint64_t n) { return (n + 7) & ~uint64_t(7); }

// Sends what the kernel takes now: the bytes sent (fewer than n when the socket is full), or -errno.
int64_t send_now(int fd, const uint8_t* p, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    ssize_t w = ::send(fd, p + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) {
      done += uint64_t(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return -(w < 0 ? errno : EPIPE);
  }
  return int64_t(done);
}
}  // namespace

struct Writer::Target {
  int32_t id;
  int fd;
  std::atomic<int64_t> queued{0};
  std::atomic<bool> want_drain{false};
  // Writer thread only.
  std::vector<uint8_t> backlog;  // output the kernel refused, from backlog_off on
  uint64_t backlog_off = 0;
  bool registered = false;  // fd is in epfd_
  bool armed = false;       // waiting for EPOLLOUT
  bool shut_pending = false;
  bool dead = false;  // a send failed: output is dropped
};

Writer::Writer(std::function<void()> wake, const Options& opt)
    : wake_(std::move(wake)), inline_max_(opt.inline_max), delay_us_(opt.delay_us) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  evfd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epfd_ < 0 || evfd_ < 0) {
    int e = errno;
    if (epfd_ >= 0) ::close(epfd_);
    if (evfd_ >= 0) ::close(evfd_);
    throw std::runtime_error(std::string("socket writer: ") + strerror(e));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wakeup eventfd
  epoll_ctl(epfd_, EPOLL_CTL_ADD, evfd_, &ev);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    ::close(epfd_);
    ::close(evfd_);
    throw;
  }
}

Writer::~Writer() {
  stop();
  ::close(epfd_);
  ::close(evfd_);
}

Writer::Target* Writer::open(int32_t id, int fd) {
  Target* t = new Target;
  t->id = id;
  t->fd = fd;
  return t;
}

void Writer::stage(Target* t, RecKind kind, const iovec* iov, int iovcnt, uint64_t len) {
  size_t at = stage_.size();
  stage_.resize(at + sizeof(Rec) + pad8(len));
  Rec r{t, kind, uint32_t(len)};
  memcpy(stage_.data() + at, &r, sizeof r);
  uint8_t* p = stage_.data() + at + sizeof(Rec);
  for (int i = 0; i < iovcnt; i++) {
    memcpy(p, iov[i].iov_base, iov[i].iov_len);
    p += iov[i].iov_len;
  }
}

int64_t Writer::write(Target* t, const iovec* iov, int iovcnt) {
  uint64_t len = 0;
  for (int i = 0; i < iovcnt; i++) len += iov[i].iov_len;
  if (len == 0) return t->queued.load(std::memory_order_relaxed);
  // One record holds at most 4 GiB - 1; larger writes are split.
  int first = 0;
  while (first < iovcnt) {
    uint64_t chunk = 0;
    int last = first;
    while (last < iovcnt && chunk + iov[last].iov_len < UINT32_MAX) chunk += iov[last++].iov_len;
    if (last == first) throw std::length_error("socket writer: a single write of 4 GiB or more");
    stage(t, REC_DATA, iov + first, last - first, chunk);
    first = last;
  }
  int64_t q = t->queued.fetch_add(int64_t(len)) + int64_t(len);
  // The staged bytes keep the count above 0 until the thread has them, so it sees this flag.
  if (q > HIGH_WATER) t->want_drain.store(true);
  return q;
}

int64_t Writer::shutdown(Target* t) {
  stage(t, REC_SHUTDOWN, nullptr, 0, 0);
  return t->queued.load();
}

bool Writer::want_drain(Target* t) {
  t->want_drain.store(true);
  // Whoever clears the flag reports the drain: here (already empty) or the thread (note).
  return t->queued.load() == 0 && t->want_drain.exchange(false);
}

int64_t Writer::queued(const Target* t) const { return t->queued.load(std::memory_order_relaxed); }

void Writer::close(Target* t) {
  stage(t, REC_CLOSE, nullptr, 0, 0);
  stage_closes_ = true;
}

void Writer::flush() {
  if (stage_.empty() || stopped_) return;
  if (stage_.size() <= inline_max_ && !stage_closes_ && exec_mu_.try_lock()) {
    bool idle;
    {
      std::lock_guard<std::mutex> l(mu_);
      idle = ready_.empty();
    }
    // Nothing older waits in ready_ and the thread is not processing (exec_mu_): order is kept.
    if (idle) {
      process(stage_);
      stage_.clear();
    }
    exec_mu_.unlock();
    if (idle) return;
  }
  stage_closes_ = false;
  bool wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    ready_.push_back(std::move(stage_));
    if (!spare_.empty()) {
      stage_ = std::move(spare_.back());
      spare_.pop_back();
    } else {
      stage_ = std::vector<uint8_t>();
    }
    wake = sleeping_;
    sleeping_ = false;
  }
  if (wake) {
    uint64_t one = 1;
    while (::write(evfd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
  }
}

void Writer::take_notes(std::vector<Note>& out) {
  std::lock_guard<std::mutex> l(notes_mu_);
  out.insert(out.end(), notes_.begin(), notes_.end());
  notes_.clear();
}

void Writer::stop() {
  if (stopped_) return;
  flush();
  stopped_ = true;  // later flushes are no-ops: the thread is gone
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    sleeping_ = false;
  }
  uint64_t one = 1;
  while (::write(evfd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
  if (thread_.joinable()) thread_.join();
}

void Writer::run() {
  std::vector<std::vector<uint8_t>> work;
  epoll_event evs[64];
  for (;;) {
    // exec_mu_ is held from taking the batches until they are processed, so flush() cannot send a
    // newer batch inline in between (lock order: exec_mu_, then mu_).
    std::unique_lock<std::mutex> x(exec_mu_);
    bool stopping;
    {
      std::lock_guard<std::mutex> l(mu_);
      work.swap(ready_);
      stopping = stopping_;
      if (work.empty() && !stopping) sleeping_ = true;
    }
    int n = 0;
    if (work.empty()) {
      if (stopping) break;
      // Asleep until a batch (eventfd) or a full socket turning writable.
      x.unlock();
      n = epoll_wait(epfd_, evs, 64, -1);
      if (delay_us_) usleep(delay_us_);  // test hook: woken, but slow to get the CPU back
      x.lock();
      std::lock_guard<std::mutex> l(mu_);
      sleeping_ = false;
    } else {
      for (auto& b : work) process(b);
      std::lock_guard<std::mutex> l(mu_);
      for (auto& b : work) {
        if (spare_.size() >= MAX_SPARE || b.capacity() > MAX_SPARE_BYTES) continue;
        b.clear();
        spare_.push_back(std::move(b));
      }
      work.clear();
    }
    // Sockets waiting for room are served between batches too, not only when idle.
    if (n == 0 && armed_ > 0) n = epoll_wait(epfd_, evs, 64, 0);
    for (int i = 0; i < n; i++) {
      auto* t = static_cast<Target*>(evs[i].data.ptr);
      if (t == nullptr) {
        uint64_t v;
        while (::read(evfd_, &v, sizeof v) < 0 && errno == EINTR) {
        }
        continue;
      }
      // Targets are freed only on this thread (close records are never sent inline), so t is alive;
      // it may have failed meanwhile (inline send), which disarmed it.
      if (!t->armed) continue;
      t->armed = false;  // EPOLLONESHOT
      armed_--;
      send_backlog(t);
    }
  }
}

void Writer::process(const std::vector<uint8_t>& batch) {
  const uint8_t* p = batch.data();
  const uint8_t* end = p + batch.size();
  while (p < end) {
    Rec r;
    memcpy(&r, p, sizeof r);
    const uint8_t* body = p + sizeof(Rec);
    p = body + pad8(r.len);
    Target* t = r.t;
    switch (r.kind) {
      case REC_DATA:
        data(t, body, r.len);
        break;
      case REC_SHUTDOWN:
        if (t->dead) break;
        if (t->backlog.empty()) ::shutdown(t->fd, SHUT_WR);
        else t->shut_pending = true;
        break;
      case REC_CLOSE:
        finish(t);
        break;
    }
  }
}

void Writer::data(Target* t, const uint8_t* p, uint64_t n) {
  if (t->dead) {
    sent(t, int64_t(n));
    return;
  }
  if (!t->backlog.empty()) {  // behind older output: keep the order
    t->backlog.insert(t->backlog.end(), p, p + n);
    return;
  }
  int64_t w = send_now(t->fd, p, n);
  if (w < 0) {
    sent(t, int64_t(n));
    fail(t, int(-w));
    return;
  }
  if (uint64_t(w) < n) {
    t->backlog.assign(p + w, p + n);
    t->backlog_off = 0;
    arm(t);
  }
  sent(t, w);
}

void Writer::send_backlog(Target* t) {
  if (t->dead || t->backlog.empty()) return;
  uint64_t left = t->backlog.size() - t->backlog_off;
  int64_t w = send_now(t->fd, t->backlog.data() + t->backlog_off, left);
  if (w < 0) {
    fail(t, int(-w));
    return;
  }
  t->backlog_off += uint64_t(w);
  if (uint64_t(w) == left) {
    t->backlog.clear();
    if (t->backlog.capacity() > MAX_KEPT_BACKLOG) std::vector<uint8_t>().swap(t->backlog);
    t->backlog_off = 0;
    if (t->shut_pending) {
      t->shut_pending = false;
      ::shutdown(t->fd, SHUT_WR);
    }
  } else {
    arm(t);
  }
  sent(t, w);
}

void Writer::arm(Target* t) {
  if (t->armed) return;
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLONESHOT;
  ev.data.ptr = t;
  if (epoll_ctl(epfd_, t->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, t->fd, &ev) != 0) {
    fail(t, errno);
    return;
  }
  t->registered = true;
  t->armed = true;
  armed_++;
}

void Writer::fail(Target* t, int err) {
  t->dead = true;
  if (t->armed) {
    t->armed = false;
    armed_--;
  }
  int64_t dropped = int64_t(t->backlog.size() - t->backlog_off);
  std::vector<uint8_t>().swap(t->backlog);
  t->backlog_off = 0;
  sent(t, dropped);
  note(t->id, EV_ERROR, err);
}

void Writer::sent(Target* t, int64_t n) {
  if (n <= 0) return;
  if (t->queued.fetch_sub(n) == n && t->want_drain.exchange(false)) note(t->id, EV_WRITABLE, 0);
}

void Writer::note(int32_t id, int32_t kind, int32_t err) {
  {
    std::lock_guard<std::mutex> l(notes_mu_);
    notes_.push_back(Note{id, kind, err});
  }
  wake_();
}

void Writer::finish(Target* t) {
  if (t->armed) armed_--;
  if (t->registered) epoll_ctl(epfd_, EPOLL_CTL_DEL, t->fd, nullptr);
  ::close(t->fd);
  delete t;
}

}  // namespace dax::io
