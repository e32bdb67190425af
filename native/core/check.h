// `daxcache check` and `daxcache info`: read-only inspection of a pool file. The pool is mapped
// privately, so nothing (not even a pending intent-log replay) reaches the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "layout.h"

namespace dax {

struct CheckReport {
  uint64_t items = 0, item_bytes = 0, stale_items = 0, expired_items = 0, overflow_buckets = 0;
  uint64_t large_items = 0, log_pending = 0, buckets = 0, max_chain = 0;
  uint64_t collections = 0, elements = 0;  // large collections (their roots are among items) and their elements
  uint64_t pages_slab = 0, pages_large = 0, pages_free = 0;
  std::vector<uint64_t> class_items;  // per size class
  std::vector<uint32_t> class_size;
  uint64_t problems = 0;
  std::vector<std::string> messages;  // the first problems, described
};

struct PoolInfo {
  PoolHeaderStatic hdr;
  PoolHeaderDynamic dyn;
  uint64_t pages_slab = 0, pages_large = 0, pages_free = 0, log_pending = 0;
};

CheckReport check_pool(const std::string& path);
PoolInfo pool_info(const std::string& path);

}  // namespace dax
