// The volatile index of live items that carry a TTL, so that active expiry finds the keys that are
// due without walking the pool's hash index (Redis keeps db->expires for the same reason; Redis then
// samples it in activeExpireCycle, we keep it ordered by expiry time, so due keys come out first).
//
// DRAM only, never persisted: after open it is empty and the rebuild walk registers every live item
// with a TTL (lookups meanwhile expire keys lazily, as before). The store tells it every publication
// and every unlinking; an operation that fails with no memory is undone here too (op_rollback), as
// its index edits are. Entries of the heap whose item was replaced or removed are skipped when they
// come up and compacted away when they outnumber the live ones, so memory stays O(live TTL keys).
#pragma once
#include <cstdint>
#include <functional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dax {

class ExpiryIndex {
 public:
  void live(uint64_t off, int64_t expire_ms);  // the item at off is published (expire_ms 0: no TTL)
  void dead(uint64_t off);                     // the item at off is unlinked
  void clear();

  // Bracket one store operation: a rolled-back op leaves the index as it found it.
  void op_begin() { journal_.clear(), in_op_ = true; }
  void op_end() { journal_.clear(), in_op_ = false; }
  void op_rollback();

  // The next live item due at `now` (expire_ms <= now), earliest first; false when none is due.
  bool next_due(int64_t now, uint64_t* off, int64_t* expire_ms);
  bool any_due(int64_t now);

  uint64_t size() const { return live_.size(); }
  // Redis's avg_ttl: the mean remaining time to live of the keys with a TTL, in ms (0 if none).
  int64_t avg_ttl_ms(int64_t now) const;

 private:
  void set(uint64_t off, int64_t expire_ms);  // 0 removes
  void compact();

  using Due = std::pair<int64_t, uint64_t>;  // expire_ms, item offset
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  std::unordered_map<uint64_t, int64_t> live_;  // item offset -> expire_ms
  long double sum_expire_ = 0;                  // for avg_ttl
  struct Undo {
    uint64_t off;
    int64_t prev;  // 0: was absent
  };
  std::vector<Undo> journal_;
  bool in_op_ = false;
};

}  // namespace dax
