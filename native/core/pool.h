// A pool file: creation (sparse + fallocate, optional prefault), header validation, mapping with
// libpmem2 and the persist layer. Knows nothing of items or the index beyond their regions.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "layout.h"
#include "persist.h"

struct pmem2_map;
struct pmem2_source;
struct pmem2_vm_reservation;

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
  uint64_t reserve_size = 0;  // address space for growth without a restart; 0: a little headroom
  uint64_t index_buckets = 0; // a new pool's key index, when smaller than one bucket per KiB
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
  // A grown pool whose primary header is torn (a crash inside a growth) is read from its copy;
  // `from_copy` says so.
  static PoolHeaderStatic read_header(int fd, const std::string& path, bool* from_copy = nullptr);

  // Growth (docs/growth.md). The largest size grow() is sure to reach in this process: the address
  // space reserved at open (grow() tries to extend it past that), within the page table's reach
  // (a pool's extension is sized at its first growth).
  uint64_t max_size() const;
  // Extends the file to new_size (whole 2 MiB units), maps the new space right after the old one
  // (every address stays valid), zeroes the page-table entries of the new pages (writing the
  // extension and its PAGE_META entries at the first growth) and then records the new size in the
  // header copy and the primary, each persisted before the next: a crash at any instant leaves a
  // pool that opens at the old or the new size. Throws PoolError (Invalid: not larger / past
  // max_size; Io: the file system has no room). The caller (Allocator::grow) takes the new pages.
  void grow(uint64_t new_size);
  // Allocates the file's blocks in [from, to) (posix_fallocate), unless all of them are there
  // already; 0 or an errno. grow() calls it on the event loop; on a descriptor of its own
  // (dup_fd) it may run ahead on another thread while the pool serves (nothing is mapped or
  // recorded), so that grow() then finds the blocks there: tmpfs zeroes every page it allocates,
  // ~120 ms per GiB.
  static int allocate(int fd, uint64_t from, uint64_t to);
  int dup_fd() const;
  // Makes a version 1 pool version 2 (crash-atomically, as a growth writes its header), before the
  // first index split: a build that reads only version 1 must refuse a pool whose index split.
  void upgrade_layout();
  // Where page p's page-table entry lives (the primary table, or the extension after a growth).
  uint64_t* page_entry_ptr(uint64_t p) const {
    uint64_t n0 = hs_.version == LAYOUT_VERSION ? hs_.npages0 : hs_.npages;  // pages in the primary table
    return p < n0 ? at<uint64_t>(hs_.pagetab_off) + p : at<uint64_t>(hs_.ext_off) + (p - n0);
  }

 private:
  void create_file(const std::string& path, uint64_t size, const PoolOptions& opt);
  void map(const std::string& path, const SimOptions& sim, uint64_t reserve_size);
  uint64_t page_table_reach() const;
  void map_range(uint64_t off, uint64_t len);
  void repair_primary(const std::string& path);
  void write_static(const PoolHeaderStatic& g);

  std::string path_;  // for error messages
  int fd_ = -1;
  pmem2_source* src_ = nullptr;
  pmem2_vm_reservation* rsv_ = nullptr;
  std::vector<pmem2_map*> maps_;  // [0, created or opened size), then one per growth, contiguous
  uint8_t* base_ = nullptr;
  PoolHeaderStatic hs_{};
  MapMode mode_;
  Fault fault_ = Fault::None;
  bool created_ = false;
  bool dram_backed_ = false;
  std::unique_ptr<Persist> persist_;
};

// Computes the region layout for a pool of the given size (deterministic): the key index has one
// bucket per KiB of pool (a power of two), or index_buckets when that is a smaller power of two.
PoolHeaderStatic plan_layout(uint64_t size, uint64_t index_buckets = 0);
// The geometry of `h` grown to new_size (version 2; the extension placed at the first growth).
PoolHeaderStatic plan_growth(const PoolHeaderStatic& h, uint64_t new_size);
// Pages of page-table extension a first growth to new_size puts in: entries for at least
// max(16 x new_size, 128 GiB) of pages, so later growths rarely meet its end.
uint64_t extension_pages(uint64_t new_size);

}  // namespace dax
