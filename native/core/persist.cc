#include "persist.h"

#include <libpmem2.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace dax {

void Persist::flush_ranges(const uint8_t* base, const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
  if (ranges.empty()) return;
  if (gran_ == Granularity::Page) {
    uint64_t lo = UINT64_MAX, hi = 0;
    for (auto& r : ranges) {
      lo = std::min(lo, r.first);
      hi = std::max(hi, r.first + r.second);
    }
    flush(base + lo, hi - lo);
  } else {
    for (auto& r : ranges) flush(base + r.first, r.second);
  }
}

Pmem2Persist::Pmem2Persist(pmem2_map* map) {
  flush_ = pmem2_get_flush_fn(map);
  drain_ = pmem2_get_drain_fn(map);
  gran_ = pmem2_map_get_store_granularity(map) == PMEM2_GRANULARITY_PAGE ? Granularity::Page
                                                                         : Granularity::CacheLine;
}

void Pmem2Persist::flush(const void* p, size_t n) {
  flushes++;
  flush_(p, n);
}

void Pmem2Persist::drain() {
  drains++;
  drain_();
}

SimPersist::SimPersist(const uint8_t* base, uint64_t size, int fd, Granularity g, const SimOptions& o)
    : base_(base), fd_(fd) {
  gran_ = g;
  if (fd >= 0) sim_.reset(new SimCrash(base, size, fd, o));
}

SimPersist::~SimPersist() = default;

void SimPersist::flush(const void* p, size_t n) {
  flushes++;
  if (sim_) sim_->on_event(flushes + drains, false, flushes);
  uint64_t unit = gran_ == Granularity::Page ? 4096 : 64;
  uint64_t off = static_cast<const uint8_t*>(p) - base_;
  uint64_t start = off / unit * unit, end = (off + n + unit - 1) / unit * unit;
  pending_.emplace_back(start, end);
}

void SimPersist::grow(uint64_t size) {
  if (sim_) sim_->grow(size);
}

void SimPersist::drain() {
  drains++;
  if (sim_) sim_->on_event(flushes + drains, true, drains);
  if (fd_ < 0) {  // read-only private mapping (check/info): nothing reaches the file
    pending_.clear();
    return;
  }
  std::sort(pending_.begin(), pending_.end());
  uint64_t s = 0, e = 0;
  auto write_out = [&]() {
    if (e > s && pwrite(fd_, base_ + s, e - s, off_t(s)) != ssize_t(e - s)) {
      perror("daxcache: crash-simulation write");
      abort();
    }
  };
  for (auto& r : pending_) {
    if (r.first > e) {
      write_out();
      s = r.first;
      e = r.second;
    } else {
      e = std::max(e, r.second);
    }
  }
  write_out();
  pending_.clear();
}

}  // namespace dax
