// A pool file: creation (sparse + fallocate, optional prefault), header validation, mapping with
// libpmem2 and the persist layer. Knows nothing of items or the index beyond their regions.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "layout.h"
#include "persist.h"

struct pmem2_map;
struct pmem2_source;

namespace dax {

// Error codes the CLI turns into distinct exit codes.
enum class PoolErr { Io, NotPool, Version, Checksum, Truncated, Invalid, Exists, Busy };
const char* pool_err_code(PoolErr e);

struct PoolError : std::runtime_error {
  PoolErr code;
  PoolError(PoolErr c, const std::string& m) : std::runtime_error(m), code(c) {}
};

enum class MapMode { Shared, Private, SimCacheLine, SimPage };

struct PoolOptions {
  uint64_t create_size = 0;  // > 0: create the file if it does not exist
  bool prefault = false;
  MapMode mode = MapMode::Shared;
  SimOptions sim;  // crash-simulation model and test-only faults (Sim* modes)
  std::function<void(uint64_t done, uint64_t total)> progress;
};

class Pool {
 public:
  Pool(const std::string& path, const PoolOptions& opt);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  uint8_t* base() const { return base_; }
  uint64_t size() const { return hs_.pool_size; }
  const PoolHeaderStatic& hdr() const { return hs_; }
  PoolHeaderDynamic* dyn() const { return reinterpret_cast<PoolHeaderDynamic*>(base_ + HDR_DYN_OFF); }
  bool created() const { return created_; }
  Persist& persist() { return *persist_; }
  bool readonly() const { return mode_ == MapMode::Private; }
  MapMode mode() const { return mode_; }
  Fault fault() const { return fault_; }
  // The file lives in DRAM already (tmpfs or ramfs): a DRAM copy of its items cannot be faster.
  bool dram_backed() const { return dram_backed_; }

  template <class T> T* at(uint64_t off) const { return reinterpret_cast<T*>(base_ + off); }
  uint64_t off_of(const void* p) const { return static_cast<const uint8_t*>(p) - base_; }

  // Persist one 8-byte word right now (flush + drain), for header state changes.
  void persist_word(uint64_t* w, uint64_t v);

  // Reads and validates the header of a file without mapping it (used by open and by `info`).
  static PoolHeaderStatic read_header(int fd, const std::string& path);

 private:
  void create_file(const std::string& path, uint64_t size, const PoolOptions& opt);
  void map(const std::string& path, const SimOptions& sim);

  int fd_ = -1;
  pmem2_source* src_ = nullptr;
  pmem2_map* map_ = nullptr;
  uint8_t* base_ = nullptr;
  PoolHeaderStatic hs_{};
  MapMode mode_;
  Fault fault_ = Fault::None;
  bool created_ = false;
  bool dram_backed_ = false;
  std::unique_ptr<Persist> persist_;
};

// Computes the region layout for a pool of the given size (deterministic).
PoolHeaderStatic plan_layout(uint64_t size);

}  // namespace dax
