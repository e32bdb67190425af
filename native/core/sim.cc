#include "sim.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dax {

namespace {

constexpr uint64_t BLOCK = 4096;

[[noreturn]] void die(const char* what) {
  perror(what);
  abort();
}

void write_all(int fd, const uint8_t* p, uint64_t n, uint64_t off) {
  if (pwrite(fd, p, n, off_t(off)) != ssize_t(n)) die("daxcache: crash-simulation write");
}

bool all_zero(const uint8_t* p, uint64_t n) {
  static const uint8_t zero[BLOCK] = {0};
  return memcmp(p, zero, n) == 0;
}

}  // namespace

SimCrash::SimCrash(const uint8_t* mem, uint64_t size, int fd, const SimOptions& o)
    : mem_(mem), size_(size), fd_(fd), o_(o), rng_wb_(o.seed * 2 + 1), rng_img_(o.seed * 2 + 2) {
  unit_ = o.model == SimModel::Page ? BLOCK : 64;
  void* m = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) die("daxcache: crash-simulation file view");
  file_ = static_cast<const uint8_t*>(m);
  if (!o_.image_prefix.empty()) {
    uint64_t every = std::max<uint64_t>(1, o_.image_every);
    next_image_ = 1 + rng_img_() % (2 * every - 1);
  }
}

SimCrash::~SimCrash() { munmap(const_cast<uint8_t*>(file_), size_); }

void SimCrash::grow(uint64_t size) {
  void* m = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) die("daxcache: crash-simulation file view");
  munmap(const_cast<uint8_t*>(file_), size_);
  file_ = static_cast<const uint8_t*>(m);
  size_ = size;
}

double SimCrash::draw_q() {
  if (o_.writeback >= 0) return o_.writeback;
  // A spread from "nothing written back" to "everything": extremes find different bugs.
  static const double qs[] = {0, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 1};
  return qs[rng_wb_() % (sizeof(qs) / sizeof(qs[0]))];
}

bool SimCrash::differs(uint64_t off, uint64_t n) const { return memcmp(mem_ + off, file_ + off, n) != 0; }

void SimCrash::on_event(uint64_t event, bool drain, uint64_t nth) {
  if (drain ? (o_.crash_at_drain && nth >= o_.crash_at_drain) : (o_.crash_at_flush && nth == o_.crash_at_flush))
    crash();
  if (next_image_ && event == next_image_) {
    write_image(event);
    uint64_t every = std::max<uint64_t>(1, o_.image_every);
    next_image_ = event + 1 + rng_img_() % (2 * every - 1);
  }
  bool early = o_.model == SimModel::Adr || o_.model == SimModel::Page;
  if (drain && early && o_.early_every && rng_wb_() % o_.early_every == 0) writeback_early();
}

// A random subset of the units stored but not yet persisted reaches the file now, with the bytes
// they hold now (the unit may be stored to again later: the file keeps this older content).
void SimCrash::writeback_early() {
  double q = draw_q();
  if (q <= 0) return;
  std::uniform_real_distribution<double> coin(0, 1);
  for (uint64_t b = 0; b < size_; b += BLOCK) {
    uint64_t n = std::min(BLOCK, size_ - b);
    if (!differs(b, n)) continue;
    for (uint64_t u = b; u < b + n; u += unit_) {
      uint64_t un = std::min(unit_, b + n - u);
      if (differs(u, un) && coin(rng_wb_) < q) write_all(fd_, mem_ + u, un, u);
    }
  }
}

void SimCrash::crash() {
  if (o_.model == SimModel::Eadr) {
    for (uint64_t b = 0; b < size_; b += BLOCK) {
      uint64_t n = std::min(BLOCK, size_ - b);
      if (differs(b, n)) write_all(fd_, mem_ + b, n, b);
    }
  } else if (o_.model != SimModel::None) {
    writeback_early();
  }
  _exit(99);
}

// The file as a crash at this instant would leave it, written to a new sparse file; the pool's own
// file is not touched.
void SimCrash::write_image(uint64_t event) {
  std::string path = o_.image_prefix + std::to_string(event) + ".img";
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("daxcache: crash image");
  if (ftruncate(fd, off_t(size_)) != 0) die("daxcache: crash image size");
  double q = o_.model == SimModel::Eadr ? 1 : o_.model == SimModel::None ? 0 : draw_q();
  std::uniform_real_distribution<double> coin(0, 1);
  uint8_t buf[BLOCK];
  for (uint64_t b = 0; b < size_; b += BLOCK) {
    uint64_t n = std::min(BLOCK, size_ - b);
    const uint8_t* src = file_ + b;
    if (q > 0 && differs(b, n)) {
      memcpy(buf, src, n);
      for (uint64_t u = b; u < b + n; u += unit_) {
        uint64_t un = std::min(unit_, b + n - u);
        if (differs(u, un) && (q >= 1 || coin(rng_wb_) < q)) memcpy(buf + (u - b), mem_ + u, un);
      }
      src = buf;
    }
    if (!all_zero(src, n)) write_all(fd, src, n, b);
  }
  if (close(fd) != 0) die("daxcache: crash image close");
  if (rename(tmp.c_str(), path.c_str()) != 0) die("daxcache: crash image rename");
}

}  // namespace dax
