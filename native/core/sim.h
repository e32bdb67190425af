// Crash simulation (tests only): what reaches the persistence domain at a power failure.
//
// The pool is mapped privately and the backing file is the persistence domain: ranges persisted
// through flush()+drain() reach the file at drain(). At a crash, units the program stored but never
// persisted are lost, except a random subset written back early by the hardware/kernel:
//   adr  - 64-byte cache lines (PMEM with ADR: the CPU cache evicts lines when it likes);
//   eadr - nothing is lost (the CPU cache is in the persistence domain);
//   page - 4 KiB pages (ordinary file + msync: the kernel writes dirty pages back when it likes).
// The candidates for an early write-back are the units whose private-mapping bytes differ from the
// file, so a write-back only ever writes bytes that really were stored there at that moment.
//
// A crash image is the file at one persist call (flush or drain) plus the model's early write-backs.
// It is produced either by dying (`crash_at_*`: write-backs applied to the file, then _exit(99)) or,
// much cheaper, by snapshots: a copy `<prefix><event>.img` with the write-backs applied to the copy,
// after which the run goes on untouched. The event number is flushes + drains so far, counting the
// call being made; the image holds the state after the previous `event - 1` calls.
#pragma once
#include <cstdint>
#include <random>
#include <string>

namespace dax {

enum class SimModel : uint8_t { None, Adr, Eadr, Page };

// Test-only faults a store can inject, so a test can show that the crash checker catches a missing
// persist or drain. Off by default; each costs one predictable branch.
enum class Fault : uint8_t { None, SkipItemPersist, SkipPhase1Drain, PublishBeforePersist };

struct SimOptions {
  SimModel model = SimModel::None;
  uint64_t seed = 0;
  uint64_t crash_at_drain = 0;  // > 0: the Nth drain() crashes instead of completing
  uint64_t crash_at_flush = 0;  // > 0: the Nth flush() crashes instead of completing
  std::string image_prefix;     // non-empty: write crash images and keep running
  uint64_t image_every = 0;     // mean persist events between two images (1 = every event)
  double writeback = -1;        // early write-back probability per unit; < 0: drawn per crash
  uint32_t early_every = 16;    // while running, one drain in N also writes back a random subset
  Fault fault = Fault::None;
};

// The model's state for one privately mapped pool.
class SimCrash {
 public:
  SimCrash(const uint8_t* mem, uint64_t size, int fd, const SimOptions& o);
  ~SimCrash();
  SimCrash(const SimCrash&) = delete;
  SimCrash& operator=(const SimCrash&) = delete;

  // Called at the start of every persist call, before it has any effect.
  void on_event(uint64_t event, bool drain, uint64_t nth);
  // The pool (file and private mapping, contiguous) is now `size` bytes long.
  void grow(uint64_t size);

 private:
  [[noreturn]] void crash();
  void write_image(uint64_t event);
  void writeback_early();
  double draw_q();
  bool differs(uint64_t off, uint64_t n) const;

  const uint8_t* mem_;    // the private mapping (what the program stored)
  const uint8_t* file_;   // a shared read-only mapping of the file (what is persistent)
  uint64_t size_;
  int fd_;
  uint64_t unit_;
  SimOptions o_;
  std::mt19937_64 rng_wb_, rng_img_;
  uint64_t next_image_ = 0;
};

}  // namespace dax
