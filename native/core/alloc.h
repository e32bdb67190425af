// Slab allocator (memcached style): 1 MiB pages carved into chunks of one size class; items larger
// than half a page take a run of whole pages. What is persistent: the page table (which class a page
// holds, or which pages form a large run). What is volatile: which chunks are in use. A chunk is in
// use exactly when the index references it, so nothing per chunk is ever persisted, and memory that
// was allocated but never published is reclaimed by the rebuild after open (mark from the index,
// then sweep the pages), which runs in small slices after the pool is already serving.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dirty.h"
#include "pool.h"

namespace dax {

// Items removed from a class's chunks, by why (memcached's `stats items` counters). Volatile: they
// count since this process opened the pool, as memcached's count since its start.
struct ClassRemovals {
  uint64_t evicted = 0;          // live items removed for room
  uint64_t evicted_nonzero = 0;  // ...of them, items that had a TTL
  uint64_t evicted_time = 0;     // idle seconds of the last evicted item (LRU policies)
  uint64_t reclaimed = 0;        // expired items removed when a request or a write for room met them
  uint64_t crawler_reclaimed = 0;      // expired items removed by active expiry or the open walk
  uint64_t crawler_items_checked = 0;  // items active expiry looked at
};

struct ClassStats {
  uint32_t chunk_size;
  uint32_t per_page;
  uint64_t pages;
  uint64_t used_chunks;
  ClassRemovals removed;  // filled by the store
};

class Allocator {
 public:
  Allocator(Pool& pool, DirtyRanges& dirty);

  // Reads the page table (O(pages), not O(keys)): free pages are usable at once; every other page
  // stays "unswept" (nothing allocated from it) until the rebuild has marked and swept it.
  void load(bool fresh);

  // The pool has grown (Pool::grow): its new pages are free runs at once (the extension's own
  // pages excepted), so an allocation that failed for room succeeds right after.
  void grow();

  // Returns the offset of a chunk/run of at least `bytes`, or 0 when the pool has no room.
  uint64_t alloc(uint64_t bytes);
  // Frees a chunk/run. Only for chunks that no persistent slot references any more.
  void free(uint64_t off);
  // Capacity of the chunk/run starting at off, or 0 when off is not a chunk start in use/known.
  uint64_t capacity(uint64_t off) const;
  bool is_large(uint64_t off) const;
  // The chunk at off is allocated, or marked by the rebuild (false for a chunk on a page not swept
  // yet that the rebuild has not reached: the sweep frees it if nothing marks it).
  bool in_use(uint64_t off) const;

  // Rebuild: mark a chunk found in the index. 1 = marked (or allocated since open), 0 = not a valid
  // chunk start, -1 = already marked on an unswept page (a second reference: damage).
  int mark(uint64_t off, bool overflow_bucket);
  // Sweep up to `budget` pages; returns true when every page has been swept.
  bool sweep(uint32_t budget);
  bool swept_all() const { return sweep_cursor_ >= npages_; }

  // Volatile access metadata for eviction and OBJECT IDLETIME/FREQ (never persisted).
  uint16_t access(uint64_t off) const;
  void set_access(uint64_t off, uint16_t v);

  // "verified" cache: item's checksum was computed or checked by this process.
  bool verified(uint64_t off) const;
  void set_verified(uint64_t off);

  uint64_t used_bytes() const { return used_bytes_; }
  uint64_t total_bytes() const { return uint64_t(npages_) * SLAB_PAGE_SIZE; }
  uint64_t free_pages() const { return free_page_count_; }
  std::vector<ClassStats> class_stats() const;
  uint32_t class_for(uint64_t bytes) const;  // nclasses for "large"
  uint32_t nclasses() const { return nclasses_; }
  uint32_t class_size(uint32_t c) const { return class_size_[c]; }

 private:
  struct PageState {
    uint8_t kind = PAGE_FREE;
    uint8_t cls = 0;
    bool swept = true;
    uint32_t nused = 0;    // chunks in use (large head: 0 or 1)
    uint32_t run = 0;      // large head: pages in the run
    uint32_t hint = 0;     // first word that may have a free bit
    int32_t partial_pos = -1;
    std::vector<uint64_t> used;      // slab pages: bit per chunk
    std::vector<uint64_t> verified;  // slab pages: bit per chunk; large head: bit 0
    std::vector<uint16_t> access;    // per chunk (large head: [0]): LRU clock or LFU counter
  };
  struct ClassState {
    uint32_t size, per_page;
    uint64_t pages = 0, used = 0;
    std::vector<uint32_t> partial;  // swept pages of this class with a free chunk
  };

  uint32_t page_of(uint64_t off) const { return uint32_t((off - slab_off_) / SLAB_PAGE_SIZE); }
  uint64_t page_off(uint32_t p) const { return slab_off_ + uint64_t(p) * SLAB_PAGE_SIZE; }
  void set_entry(uint32_t p, uint64_t e);
  bool is_meta_page(uint32_t p) const;  // holds the page-table extension
  uint32_t take_pages(uint32_t n);  // returns page index or UINT32_MAX
  void give_pages(uint32_t p, uint32_t n);
  void init_slab_page(uint32_t p, uint32_t cls, bool swept);
  PageState& vectors(uint32_t p);  // the page's state, with its per-chunk vectors made
  void partial_add(uint32_t p);
  void partial_remove(uint32_t p);
  void release_slab_page(uint32_t p);
  int chunk_index(uint32_t p, uint64_t off) const;

  Pool& pool_;
  DirtyRanges& dirty_;
  uint64_t slab_off_;
  uint32_t npages_;
  uint32_t nclasses_;
  uint32_t class_size_[MAX_CLASSES];
  std::vector<PageState> pages_;
  std::vector<ClassState> classes_;
  std::map<uint32_t, uint32_t> free_runs_;  // start page -> length
  uint64_t free_page_count_ = 0;
  uint64_t used_bytes_ = 0;
  uint32_t sweep_cursor_ = 0;
};

}  // namespace dax
