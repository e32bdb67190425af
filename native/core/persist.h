// The one layer every store to the pool goes through on its way to persistence:
// flush(range) schedules a range, drain() waits until everything flushed is persistent.
// Normal pools use libpmem2's primitives for the medium (CLWB/CLFLUSHOPT + SFENCE on cache-line
// granularity, msync on page granularity). The crash-simulation pool (tests only) maps the file
// privately and writes flushed ranges to the file at drain(), so the file IS the persistence domain.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sim.h"

struct pmem2_map;

namespace dax {

enum class Granularity { CacheLine, Page };

class Persist {
 public:
  virtual ~Persist() = default;
  virtual void flush(const void* p, size_t n) = 0;
  virtual void drain() = 0;
  // The pool has grown to `size` bytes (mapped contiguously after the old end). Address-based
  // flushes need nothing; the crash simulation widens its view of the file.
  virtual void grow(uint64_t size) { (void)size; }
  // Schedules every range (offsets from `base`) the way this medium wants them grouped: one span
  // over all of them where persistence is page-granular (one msync costs the same for one page or
  // many, and ~400 µs on a disk: writes must share it), each range on its own where it is per cache
  // line. The caller drains.
  void flush_ranges(const uint8_t* base, const std::vector<std::pair<uint64_t, uint64_t>>& ranges);
  Granularity granularity() const { return gran_; }
  uint64_t flushes = 0, drains = 0;  // observed by tests and stats

 protected:
  Granularity gran_ = Granularity::Page;
};

// libpmem2 flush/drain of a shared mapping.
class Pmem2Persist : public Persist {
 public:
  explicit Pmem2Persist(pmem2_map* map);
  void flush(const void* p, size_t n) override;
  void drain() override;

 private:
  void (*flush_)(const void*, size_t);
  void (*drain_)(void);
};

// Crash simulation: private mapping; flushed ranges (rounded to the granularity) reach the file at
// drain(). The model (sim.h) may crash at a chosen flush/drain, write crash images, and write back
// unpersisted units early. fd < 0: a read-only private mapping (check/info), nothing is written.
class SimPersist : public Persist {
 public:
  SimPersist(const uint8_t* base, uint64_t size, int fd, Granularity g, const SimOptions& o = SimOptions());
  ~SimPersist() override;
  void flush(const void* p, size_t n) override;
  void drain() override;
  void grow(uint64_t size) override;

 private:
  const uint8_t* base_;
  int fd_;
  std::vector<std::pair<uint64_t, uint64_t>> pending_;
  std::unique_ptr<SimCrash> sim_;
};

}  // namespace dax
